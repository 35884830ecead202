/* eslint-disable @typescript-eslint/no-explicit-any -- frames are read loosely; expect() checks them */
/** A WebSocket client of the feed (/api/v1/ws), as a page would hold one: frames in, commands out. */
import WebSocket from 'ws';
import type { FeedHub } from '../../src/api/feed-hub';
import type { FeedFrame } from '../../src/domain';
import { until } from './poll';

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

  /** The frame that says agent `subject` went to status `to`. */
  status(subject: string, to: string, timeoutMs?: number): Promise<FeedFrame> {
    return this.until(
      (f) => f.subject === subject && f.event === 'agent_status' && (f.data as any).to === to,
      `${subject} ${to}`,
      timeoutMs,
    );
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

/** Wait for `count` more ticks of `hub`: a number of its rounds of reads, not a time (a loaded machine ticks less often). */
export async function hubTicks(hub: FeedHub, count: number): Promise<void> {
  const from = hub.calls.ticks;
  await until(
    async () => hub.calls.ticks - from,
    (n) => n >= count,
    `${count} ticks of the hub`,
    60_000,
  );
}
