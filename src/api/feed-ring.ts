/**
 * The feed's frames as ids and a ring: each frame gets the next id under a per-process epoch,
 * and the latest `size` are kept so that a client resuming from an id it was sent misses
 * nothing. An id the ring no longer holds (too old, another epoch, before a restart, or not
 * an id at all) cannot be resumed from: the feed answers it with `resync`.
 */
import { randomBytes } from 'node:crypto';
import type { FeedFrame } from '../domain';

export class FeedRing {
  /** Ids from another process (or before a restart) are foreign. */
  readonly epoch = randomBytes(4).toString('hex');
  private seq = 0;
  /** Every frame after this one is in the ring (or none has been sent since). */
  private floor = 0;
  private ring: Array<{ seq: number; frame: FeedFrame }> = [];

  constructor(private readonly size: number) {}

  /** The id of the last frame: a client that resumes from it misses nothing. */
  get lastId(): string {
    return `${this.epoch}-${this.seq}`;
  }

  /** `frame` with the next id, kept. */
  push(frame: Omit<FeedFrame, 'id'>): FeedFrame {
    this.seq += 1;
    const kept: FeedFrame = { id: `${this.epoch}-${this.seq}`, ...frame };
    this.ring.push({ seq: this.seq, frame: kept });
    // Trimmed a quarter at a time: a splice per frame would copy the ring each time.
    if (this.ring.length > this.size + this.size / 4) {
      const dropped = this.ring.splice(0, this.ring.length - this.size);
      this.floor = dropped.at(-1)!.seq;
    }
    return kept;
  }

  /**
   * The frames after `after` (up to `through`, when given), or undefined when the ring does not
   * hold them all: an id of another epoch, one older than the ring, or not an id at all.
   */
  replay(after: string, through?: string): FeedFrame[] | undefined {
    const n = this.seqOf(after);
    if (n === undefined || n < this.floor || n > this.seq) return undefined;
    const last = (through === undefined ? undefined : this.seqOf(through)) ?? this.seq;
    const first = this.ring[0]?.seq ?? this.seq + 1;
    return this.ring.slice(Math.max(0, n + 1 - first), Math.max(0, last + 1 - first)).map((r) => r.frame);
  }

  /**
   * Forget every frame: ids from before cannot be resumed from. The clear takes an id of its
   * own, past every id sent before it: the last id before a quiet spell held the ring's floor,
   * so it would have replayed as "nothing missed" while what happened unheard was lost.
   */
  clear(): void {
    this.ring = [];
    this.seq += 1;
    this.floor = this.seq;
  }

  private seqOf(id: string): number | undefined {
    const match = /^([0-9a-f]{8})-(\d{1,15})$/.exec(id);
    return match && match[1] === this.epoch ? Number(match[2]) : undefined;
  }
}
