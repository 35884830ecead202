/** A Server-Sent Events response: headers, framing, keep-alive comments, and closing. */
import type { Response } from 'express';

/** Comment lines keep proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

export class SseStream {
  private ended = false;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly closers: Array<() => void> = [];

  constructor(
    private readonly res: Response,
    private readonly registry: Set<SseStream>,
  ) {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    this.keepAlive.unref();
    res.on('close', () => this.close());
    registry.add(this);
  }

  get open(): boolean {
    return !this.ended;
  }

  /** One event. `id` is what the client sends back as Last-Event-ID after a reconnect. */
  send(event: string, data: unknown, id?: string): void {
    // JSON has no raw newlines, so the data fits on one `data:` line.
    this.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Called once, when the stream ends for any reason. */
  onClose(fn: () => void): void {
    if (this.ended) fn();
    else this.closers.push(fn);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepAlive);
    this.registry.delete(this);
    this.res.end();
    for (const fn of this.closers.splice(0)) fn();
  }

  private write(chunk: string): void {
    if (!this.ended) this.res.write(chunk);
  }
}

/** Wait `ms`, or less if the stream closes. */
export function pause(stream: SseStream, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    stream.onClose(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
