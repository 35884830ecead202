/**
 * The last status view the API got of each running agent, so that a GET answers within
 * `waitMs` even when the agent's worker is slow to: a status query waits for the agent's
 * workflow task in flight (a run of local steps, a second or two; much longer on a saturated
 * worker). Past `waitMs` the GET answers with the last view it has, marked with its age, and
 * the query runs on for the GETs after it: one query per run at a time, however many ask.
 */
import { SizedLru } from '../sized-lru';
import { AsksInFlight } from './asks-in-flight';
import { within } from '../within';

/** A view answered within the wait; or the last one kept (answered at `asOf`, ms since the epoch), or none. */
export type LiveAnswer<V> =
  { fresh: true; view: V } | { fresh: false; view: V; asOf: number } | { fresh: false; view?: undefined };

export class LiveViews {
  /** By run id, sized by their JSON's length. */
  private readonly views: SizedLru<{ view: unknown; at: number }>;
  private readonly asking = new AsksInFlight();

  /** `maxChars`: of the views' JSON, all together. */
  constructor(
    readonly waitMs: number,
    maxChars = 32 * 2 ** 20,
  ) {
    this.views = new SizedLru(maxChars);
  }

  /** The view `ask` gives if it comes within `waitMs` (or `wait`); else the last one kept, if any. A failed ask fails the GET that waits for it. */
  async view<V>(runId: string, ask: () => Promise<V>, wait = this.waitMs): Promise<LiveAnswer<V>> {
    const asked = this.asking.get(runId, ask, (view) => this.keep(runId, view));
    // A view is an object, never undefined: undefined means the wait ran out.
    const view = await within(asked, wait);
    if (view !== undefined) return { view, fresh: true };
    const kept = this.views.get(runId);
    return kept ? { view: kept.view as V, asOf: kept.at, fresh: false } : { fresh: false };
  }

  private keep(runId: string, view: unknown): void {
    this.views.set(runId, { view, at: Date.now() }, JSON.stringify(view)?.length ?? 0);
  }

  /** Views kept. */
  get size(): number {
    return this.views.count;
  }
}
