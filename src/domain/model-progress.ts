/**
 * A model call in flight reports its partial text in its heartbeats. Heartbeat details live
 * in the server's mutable state, not in the history, so the API can stream the text as it
 * arrives without writing every token into the workflow's history.
 */

/** The heartbeat details of `callModel`. */
export interface ModelProgress {
  /** Stream events received so far. */
  received: number;
  /** Characters of text the model has produced so far in this call. */
  chars: number;
  /** The last characters of that text (at most MODEL_TEXT_TAIL): `chars - text.length` is its offset. */
  text: string;
}

/** Enough for a reader that polls every few seconds to miss nothing; small enough to send each second. */
export const MODEL_TEXT_TAIL = 8000;

export function modelProgress(received: number, text: string): ModelProgress {
  return { received, chars: text.length, text: text.slice(-MODEL_TEXT_TAIL) };
}
