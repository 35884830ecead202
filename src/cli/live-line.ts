/**
 * One line at the bottom of a terminal that says what an agent is doing between its events: a
 * spinner, the work in flight and for how long, and the tail of the model's text as it is
 * written. Redrawn in place; cleared before anything else is printed.
 */
import type { InFlight } from '../temporal/in-flight';
import type { OutputStream } from './io';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The line for `work` at `now`, at most `width` characters. */
export function liveText(work: InFlight, now: number, frame: number, width: number): string {
  const seconds = work.startedAt ? ((now - work.startedAt.getTime()) / 1000).toFixed(1) : '?';
  const what = work.activity === 'callModel' ? 'model' : work.activity;
  const retry = work.attempt > 1 ? ` (attempt ${work.attempt})` : '';
  const head = `${FRAMES[frame % FRAMES.length]} ${what}${retry} ${seconds}s`;
  const text = work.progress?.text.replace(/\s+/g, ' ').trim();
  const line = text ? `${head} · ${work.progress?.chars} chars: ${text}` : head;
  if (line.length <= width) return line;
  // Keep the head, and the newest of the text: that is what is being written.
  const room = Math.max(0, width - head.length - 4);
  return text && room > 8 ? `${head} · …${text.slice(-room)}` : line.slice(0, width);
}

export interface LiveLine {
  show(work: InFlight | undefined): void;
  clear(): void;
}

/** A live line on `stream` (a terminal), or one that does nothing elsewhere. */
export function liveLine(stream: OutputStream): LiveLine {
  if (!stream.isTTY) return { show: () => undefined, clear: () => undefined };
  let frame = 0;
  let shown = false;
  const clear = () => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    show(work) {
      if (!work) return clear();
      stream.write(`\r\x1b[2K${liveText(work, Date.now(), frame++, (stream.columns || 80) - 1)}`);
      shown = true;
    },
    clear,
  };
}
