/**
 * The status views of finished runs. A closed run never changes, and a query of one makes a
 * worker replay its whole history (a 1,000-agent swarm's is thousands of events), so the API
 * asks once per run and keeps the answer. Bounded by size (a swarm's view holds every agent's
 * result): the least recently used go first.
 */
import { SizedLru } from '../sized-lru';
import { AsksInFlight } from './asks-in-flight';
import type { Inspection } from '../temporal/inspect';

/** Temporal statuses of a run that is over (a continued-as-new one hands on to its next run). */
const CLOSED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']);

export const isClosed = (temporalStatus: string): boolean => CLOSED.has(temporalStatus);

export class ClosedViews {
  /** By run id, sized by their JSON's length. */
  private readonly views: SizedLru<unknown>;
  /** Asks under way, so that GETs of a run that just closed ask once between them. */
  private readonly asking = new AsksInFlight();

  /** `maxChars`: of the views' JSON, all together. */
  constructor(private readonly maxChars = 64 * 2 ** 20) {
    this.views = new SizedLru(maxChars);
  }

  /** The view `ask` gives; for a closed run, asked of that very run, once. */
  async view<V>(
    run: Pick<Inspection, 'runId' | 'temporalStatus'>,
    ask: (runId?: string) => Promise<V>,
  ): Promise<V> {
    if (!isClosed(run.temporalStatus)) return ask();
    const { runId } = run;
    const kept = this.views.get(runId);
    if (kept !== undefined) return kept as V;
    return this.asking.get(
      runId,
      () => ask(runId),
      (view) => this.keep(runId, view),
    );
  }

  /** Whether the view of this run is kept (a GET of it answers at once). */
  has(runId: string): boolean {
    return this.views.get(runId) !== undefined;
  }

  private keep(runId: string, view: unknown): void {
    const chars = JSON.stringify(view)?.length ?? 0;
    if (chars > this.maxChars / 4) return; // one view would push out too many others
    this.views.set(runId, view, chars);
  }

  /** Views kept, and their size in characters of JSON. */
  get size(): { views: number; chars: number } {
    return { views: this.views.count, chars: this.views.size };
  }
}
