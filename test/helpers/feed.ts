/* eslint-disable @typescript-eslint/no-explicit-any -- frames are read loosely; expect() checks them */
/** A WebSocket client of the feed (/api/v1/ws), as a page would hold one: frames in, commands out. */
import WebSocket from 'ws';
import type { FeedFrame } from '../../src/domain';

export class FeedClient {
  readonly frames: FeedFrame[] = [];
  private waiters: Array<() => void> = [];
  private nextRequest = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as FeedFrame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    ws.on('close', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Connect as the holder of `token` (none: no credentials); rejects with the HTTP status of a refused upgrade. */
  static open(url: string, token?: string, headers: Record<string, string> = {}): Promise<FeedClient> {
    const ws = new WebSocket(url, {
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    });
    const client = new FeedClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error(`refused: ${res.statusCode}`), { status: res.statusCode })),
      );
      ws.once('error', reject);
    });
  }

  /** The first frame (from `from` on) for which `match` holds, waiting up to `timeoutMs`. */
  async until(
    match: (f: FeedFrame) => boolean,
    what: string,
    timeoutMs = 30_000,
    from = 0,
  ): Promise<FeedFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline || this.ws.readyState === WebSocket.CLOSED)
        throw new Error(
          `no frame: ${what}; got ${this.frames.map((f) => `${f.event}:${f.subject ?? ''}`).join(', ')}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Send a command (a `requestId` is added) and wait for its reply's data. */
  async command(command: Record<string, unknown>): Promise<any> {
    const requestId = `r${++this.nextRequest}`;
    this.ws.send(JSON.stringify({ requestId, ...command }));
    const reply = await this.until(
      (f) => f.event === 'reply' && (f.data as any).requestId === requestId,
      `the reply to ${String(command.type)}`,
    );
    return reply.data;
  }

  /** Send raw text; the next reply frame after it. */
  async raw(text: string): Promise<any> {
    const from = this.frames.length;
    this.ws.send(text);
    return (await this.until((f) => f.event === 'reply', 'a reply', 10_000, from)).data;
  }

  /** The frames about `subject`. */
  about(subject: string): FeedFrame[] {
    return this.frames.filter((f) => f.subject === subject);
  }

  close(): void {
    this.ws.close();
  }
}
