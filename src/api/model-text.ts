/**
 * The partial text of a model call in flight, read from its heartbeats (inspect.ts), as the
 * next piece a follower has not seen: the per-agent streams and the feed both send it.
 */
import type { Inspection } from '../temporal/inspect';

/** How far a follower has read the text of one model call (`call` is `<activityId>.<attempt>`). */
export interface TextCursor {
  call: string;
  chars: number;
}

export interface TextPiece {
  /** The `model_text` event's data. */
  data: { callId: string; attempt: number; offset: number; text: string; skipped?: number };
  /** Where the follower is once it has this piece. */
  cursor: TextCursor;
}

/** The text after `cursor` of the call in flight, or undefined when there is nothing new. */
export function nextTextPiece(cursor: TextCursor | undefined, inspection: Inspection): TextPiece | undefined {
  const call = inspection.modelCall;
  const progress = call?.progress;
  if (!call || !progress) return undefined;
  const key = `${call.activityId}.${call.attempt}`;
  // A new call, or a retry of the same one, starts its text from the beginning.
  const reached = cursor?.call === key ? cursor.chars : 0;
  if (progress.chars <= reached) return undefined;
  const tailStart = progress.chars - progress.text.length;
  const from = Math.max(reached, tailStart);
  return {
    data: {
      callId: call.activityId,
      attempt: call.attempt,
      offset: from,
      text: progress.text.slice(from - tailStart),
      // Set when the follower fell so far behind that the start of this piece is no longer held.
      ...(from > reached ? { skipped: from - reached } : {}),
    },
    cursor: { call: key, chars: progress.chars },
  };
}
