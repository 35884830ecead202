/**
 * A command's output as it arrives, in bounded memory and at a bounded cost per chunk: the
 * first bytes and the last bytes are kept raw, what lies between is only counted. Nothing is
 * decoded until the end, so a flood (`yes`, `cat /dev/zero`) costs a copy of each chunk's
 * tail at most, never a string the size of the cap per chunk.
 */
import { capText } from './outcome';

export class OutputTail {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Bytes seen in all. */
  total = 0;

  /** `keep`: bytes kept of the head, and as many of the tail. */
  constructor(private readonly keep: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headBytes < this.keep) {
      const taken = chunk.subarray(0, this.keep - this.headBytes);
      this.head.push(Buffer.from(taken));
      this.headBytes += taken.length;
      chunk = chunk.subarray(taken.length);
    }
    if (chunk.length === 0) return;
    // The last `keep` bytes only: a chunk that holds them all replaces the rest.
    if (chunk.length >= this.keep) {
      this.tail = [chunk.subarray(chunk.length - this.keep)];
      this.tailBytes = this.keep;
      return;
    }
    this.tail.push(Buffer.from(chunk));
    this.tailBytes += chunk.length;
    while (this.tailBytes - this.tail[0].length >= this.keep) this.tailBytes -= this.tail.shift()!.length;
    // Many small chunks: joined now and then, so the list stays short.
    if (this.tail.length > 64) this.tail = [Buffer.concat(this.tail)];
  }

  /** The output as text, at most `max` chars: the head and the tail, with what was cut said between. */
  text(max: number): string {
    const head = Buffer.concat(this.head);
    const tail = Buffer.concat(this.tail);
    const between = this.total - head.length - tail.length;
    if (between === 0) return capText(Buffer.concat([head, tail]).toString('utf8'), max);
    const half = Math.floor(max / 2);
    const first = head.toString('utf8');
    const last = tail.toString('utf8');
    const cut = between + Math.max(0, first.length - half) + Math.max(0, last.length - half);
    return `${first.slice(0, half)}\n… [about ${cut} chars cut] …\n${last.slice(-half)}`;
  }
}
