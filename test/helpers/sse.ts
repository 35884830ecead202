/* eslint-disable @typescript-eslint/no-explicit-any -- event data is read loosely; expect() checks it */
/** A small Server-Sent Events reader over fetch, as a client would write one. */

export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

export interface SseRead {
  status: number;
  events: SseEvent[];
  /** The server ended the stream (rather than the reader stopping). */
  ended: boolean;
}

/** Read `url` until `enough(events)` holds, the server ends the stream, or `timeoutMs` passes. */
export async function readSse(
  url: string,
  token: string,
  options: { lastEventId?: string; enough?: (events: SseEvent[]) => boolean; timeoutMs?: number } = {},
): Promise<SseRead> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs ?? 30_000);
  const events: SseEvent[] = [];
  let ended = false;
  try {
    const response = await fetch(url, {
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'text/event-stream',
        ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
      },
      signal: abort.signal,
    });
    if (!response.ok || !response.body) return { status: response.status, events, ended: true };
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = response.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event: Partial<SseEvent> = {};
        for (const line of frame.split('\n')) {
          if (line.startsWith('id: ')) event.id = line.slice(4);
          else if (line.startsWith('event: ')) event.event = line.slice(7);
          else if (line.startsWith('data: ')) event.data = JSON.parse(line.slice(6));
        }
        if (event.event) events.push(event as SseEvent);
      }
      if (options.enough?.(events)) break;
    }
    await reader.cancel().catch(() => undefined);
    return { status: response.status, events, ended };
  } catch (err) {
    if (abort.signal.aborted) return { status: 200, events, ended: false };
    throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/** The id a reconnecting client sends: the last one it saw. */
export function lastId(events: SseEvent[]): string | undefined {
  return events.filter((e) => e.id !== undefined).at(-1)?.id;
}
