/**
 * Inspections for a GET that answers within a bound on a loaded server. A description of the
 * workflow (status, owner, staleness) waits for the workflow's lock on the server, which a
 * fleet of busy agents holds for seconds at a time; the visibility store answers the same
 * owner and status in tens of milliseconds. Both are asked at once: the description is used
 * when it comes in time, else the store's row, with the staleness of the run's last
 * description (kept here), or none known.
 */
import type { Client } from '@temporalio/client';
import type { Staleness } from '../domain';
import { inspectWorkflow, locateWorkflow, type Inspection, type Location } from '../temporal/inspect';
import { SizedLru } from '../sized-lru';
import { within } from '../within';

/** Where the inspection's staleness comes from: known now (this description, or a finished run, never stale), the run's last description, or none. */
export type StalenessSource = 'fresh' | { asOf: number } | 'unknown';

export interface QuickInspection {
  inspection: Inspection;
  staleness: StalenessSource;
}

export class QuickInspections {
  /** The last staleness described, by run id. */
  private readonly kept: SizedLru<{ staleness: Staleness; at: number }>;

  constructor(maxRuns = 20_000) {
    this.kept = new SizedLru(maxRuns);
  }

  /** The description if it comes by `deadline` (ms since the epoch), else the store's row, whichever is first to say who owns it. */
  async inspect(
    client: Client,
    workflowId: string,
    notFound: () => Error,
    staleAfterMs: number,
    deadline: number,
  ): Promise<QuickInspection> {
    const described = inspectWorkflow(client, workflowId, notFound, staleAfterMs);
    void described.then(
      (inspection) => this.keep(inspection),
      () => undefined, // the GET that waits for it sees the failure
    );
    // A run the store does not have yet (just started) waits for the description.
    const located = locateWorkflow(client, workflowId).catch(() => undefined);
    type First = { inspection: Inspection } | { row: Location };
    const byDescription = described.then((inspection): First => ({ inspection }));
    const first = await Promise.race([
      byDescription,
      located.then((row) => (row ? ({ row } as First) : byDescription)),
    ]);
    if ('inspection' in first) return { inspection: first.inspection, staleness: 'fresh' };
    const late = await within(
      described.catch(() => undefined),
      Math.max(0, deadline - Date.now()),
    );
    if (late) return { inspection: late, staleness: 'fresh' };
    const { row } = first;
    if (row.temporalStatus !== 'RUNNING')
      return { inspection: { ...row, staleness: { stale: false } }, staleness: 'fresh' };
    const kept = this.kept.get(row.runId);
    return {
      inspection: { ...row, staleness: kept?.staleness ?? { stale: false } },
      staleness: kept ? { asOf: kept.at } : 'unknown',
    };
  }

  private keep(inspection: Inspection): void {
    this.kept.set(inspection.runId, { staleness: inspection.staleness, at: Date.now() }, 1);
  }
}
