/**
 * How many live streams each user holds at once. A stream costs the API, the worker and the
 * Temporal server a look every poll for as long as it stays open, so one user (or one token
 * in the wrong script) may not open hundreds: past the cap, a 429 until one of theirs closes.
 */
import { ApiError } from './errors';

/** Streams one user may hold at once unless configured (ORCHESTRA_API_STREAMS_PER_USER). */
export const DEFAULT_STREAMS_PER_USER = 16;

/** What a refused client is told to wait, in seconds. */
const RETRY_AFTER_S = 5;

export class StreamSlots {
  private readonly held = new Map<string, number>();

  constructor(readonly perUser = DEFAULT_STREAMS_PER_USER) {}

  /** A slot for `user`, freed by the function returned (once, however often it is called); a 429 past the cap. */
  take(user: string): () => void {
    const held = this.held.get(user) ?? 0;
    if (held >= this.perUser) {
      throw new ApiError(
        429,
        'too_many_streams',
        `you have ${held} live streams open, the most this API allows a user; close one, then try again`,
        undefined,
        RETRY_AFTER_S,
      );
    }
    this.held.set(user, held + 1);
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      const left = (this.held.get(user) ?? 1) - 1;
      if (left > 0) this.held.set(user, left);
      else this.held.delete(user);
    };
  }

  /** Streams `user` holds now. */
  count(user: string): number {
    return this.held.get(user) ?? 0;
  }
}
