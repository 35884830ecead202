/**
 * Requests as a hostile or unusual client sends them: any Host header, raw body bytes, any
 * Content-Encoding (fetch forbids some of these), and live streams held open until closed.
 */
import * as http from 'node:http';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as JSON when it is, else its text. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers loosely
  body: any;
  /** Milliseconds from sending to the whole answer. */
  ms: number;
}

/** One request to `url`, with exactly these headers (Host included, when given) and body bytes. */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface OpenStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Milliseconds from sending to the answer's headers. */
  ms: number;
  /** What the server has sent so far. */
  text(): string;
  /** Drop the connection, as a client that goes away does. */
  close(): void;
}

/** A GET whose answer is held open once its headers come; a non-2xx answer is read whole. */
export function openStream(url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('error', () => undefined); // closing it on purpose aborts it
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        ms: Date.now() - started,
        text: () => text,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
