/**
 * The status views of finished runs. A closed run never changes, and a query of one makes a
 * worker replay its whole history (a 1,000-agent swarm's is thousands of events), so the API
 * asks once per run and keeps the answer; the least recently used are dropped past `max`.
 */
import type { Inspection } from '../temporal/inspect';

/** Temporal statuses of a run that is over (a continued-as-new one hands on to its next run). */
const CLOSED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']);

export class ClosedViews {
  private readonly views = new Map<string, unknown>();

  constructor(private readonly max = 5_000) {}

  /** The view `ask` gives, asked only once for a closed run. */
  async view<V>(run: Pick<Inspection, 'runId' | 'temporalStatus'>, ask: () => Promise<V>): Promise<V> {
    if (!CLOSED.has(run.temporalStatus)) return ask();
    const kept = this.views.get(run.runId);
    if (kept !== undefined) {
      this.views.delete(run.runId); // most recently used last
      this.views.set(run.runId, kept);
      return kept as V;
    }
    const view = await ask();
    this.views.set(run.runId, view);
    if (this.views.size > this.max) this.views.delete(this.views.keys().next().value!);
    return view;
  }

  get size(): number {
    return this.views.size;
  }
}
