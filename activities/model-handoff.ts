/**
 * Model calls handed from a local activity to a queued one. Every call an agent expects to be
 * short starts locally, inside its workflow task (no server round trip). One still running
 * after `handoffAfterMs` is left running here, and the local activity returns at once; the
 * agent then schedules a queued activity on its own queue, which the server hands straight
 * back to this worker (eager dispatch) and which adopts the call: heartbeating, streaming its
 * text, cancellable. So a slow call holds the workflow task (and the queries and signals
 * that wait for it) no longer than `handoffAfterMs`, and is never made twice on one worker.
 */
import type { ModelReply } from '../src/domain';

/** What a call in flight shows of itself: its partial text, for the heartbeats. */
export interface CallProgress {
  received: number;
  text: string;
}

export interface InFlightCall {
  readonly reply: Promise<ModelReply>;
  readonly progress: CallProgress;
  abort(reason?: unknown): void;
}

/** A call no queued activity adopted this long after its handoff is abandoned (its agent moved on, or its worker). */
export const UNADOPTED_MS = 60_000;

export class HandedOffCalls {
  private readonly calls = new Map<string, { call: InFlightCall; timer: NodeJS.Timeout }>();

  constructor(private readonly unadoptedMs = UNADOPTED_MS) {}

  /** Keep `call` for its adopter, until it is adopted or abandoned. */
  handOff(id: string, call: InFlightCall): void {
    const timer = setTimeout(() => {
      this.calls.delete(id);
      call.abort(new Error(`model call ${id} was handed off but never adopted`));
    }, this.unadoptedMs);
    timer.unref();
    // A call that fails before its adopter comes is not an unhandled rejection: the adopter sees it.
    call.reply.catch(() => undefined);
    this.calls.set(id, { call, timer });
  }

  /** The call handed off under `id`, once: undefined when this worker never held it (or gave it up). */
  adopt(id: string): InFlightCall | undefined {
    const held = this.calls.get(id);
    if (!held) return undefined;
    this.calls.delete(id);
    clearTimeout(held.timer);
    return held.call;
  }

  get size(): number {
    return this.calls.size;
  }
}
