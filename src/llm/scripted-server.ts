/**
 * A scripted Anthropic-compatible HTTP server (POST /v1/messages, JSON and SSE
 * streaming). It replays scripted turns, tool calls, errors and delays. It is a test
 * double for a paid service: it never pretends to think.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gates } from './gates';
import { errorType, type Script, type ScriptedTurn } from './script';

interface RequestBody {
  model?: string;
  stream?: boolean;
  system?: unknown;
  messages?: Array<{ role: string; content: unknown }>;
  tools?: Array<{ name: string }>;
}

/** What the server saw, for tests to assert on. */
export interface RecordedRequest {
  script?: string;
  turn: number;
  attempt: number;
  model?: string;
  stream: boolean;
  tools: string[];
  status: number;
  /** The client hung up before the answer was complete (a cancelled call). */
  aborted: boolean;
  /** The system prompt, as text. */
  system: string;
  /** Messages in the request: the whole conversation the model was shown. */
  messages: number;
  /** When it arrived (ms since the epoch), */
  at: number;
  /** and when its answer was complete (an error's, or the reply's last byte); undefined until then. */
  answeredAt?: number;
}

export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  /** The most requests it has answered at the same time. */
  maxInFlight(): number;
  addScript(script: Script): void;
  /** Let the calls waiting at a step's `gate` or `textGate` (and every later one) go on. */
  openGate(name: string): void;
  /** Back to how it started: its first scripts only, no request recorded (tests share one server a shard). */
  reset(): void;
  stop(): Promise<void>;
}

export async function startScriptedServer(
  options: { scripts?: Script[]; port?: number } = {},
): Promise<ScriptedServer> {
  const scripts: Script[] = [...(options.scripts ?? [])];
  const attempts = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const gates = new Gates();

  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => {
      inFlight -= 1;
    });
    handle(req, res).catch((err: Error) => sendError(res, 500, 'api_error', err.message));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
      return sendError(res, 404, 'not_found_error', `no route ${req.method} ${req.url}`);
    }
    if (!req.headers['x-api-key'] && !req.headers.authorization) {
      return sendError(res, 401, 'authentication_error', 'x-api-key header is required');
    }
    let body: RequestBody;
    try {
      body = JSON.parse(await readBody(req)) as RequestBody;
    } catch {
      return sendError(res, 400, 'invalid_request_error', 'body is not JSON');
    }
    const messages = body.messages ?? [];
    const first = textOfContent(messages[0]?.content);
    // The script added last wins among those that match (README: The scripted model server).
    const script = [...scripts].reverse().find((s) => s.match === undefined || first.includes(s.match));
    const turn = messages.filter((m) => m.role === 'assistant').length;
    const key = `${script?.name}|${first}|${turn}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const record: RecordedRequest = {
      script: script?.name,
      turn,
      attempt,
      model: body.model,
      stream: body.stream === true,
      tools: (body.tools ?? []).map((t) => t.name),
      status: 200,
      aborted: false,
      system: typeof body.system === 'string' ? body.system : textOfContent(body.system),
      messages: messages.length,
      at: Date.now(),
    };
    requests.push(record);
    res.once('finish', () => {
      record.answeredAt = Date.now();
    });
    res.once('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });
    const step =
      script &&
      (script.turns[turn] ?? (script.repeatLast ? script.turns[script.turns.length - 1] : undefined));
    if (!step) {
      record.status = 400;
      const why = script
        ? `script "${script.name}" has no turn ${turn}`
        : 'no script matches this conversation';
      return sendError(res, 400, 'invalid_request_error', `scripted server: ${why}`);
    }
    const scriptedError = step.errors?.[attempt - 1];
    if (step.delayMs && attempt <= (step.slowAttempts ?? Infinity))
      await sleepUnlessClosed(req, step.delayMs);
    if (step.gate) await gates.passed(step.gate, req);
    if (res.destroyed || req.socket.destroyed) return; // the client gave up (a cancelled call)
    if (scriptedError) {
      record.status = scriptedError.status;
      const headers: Record<string, string> = {
        ...(scriptedError.retryAfter === undefined
          ? {}
          : { 'retry-after': String(scriptedError.retryAfter) }),
        ...(scriptedError.retryAfterMs === undefined
          ? {}
          : { 'retry-after-ms': String(scriptedError.retryAfterMs) }),
      };
      return sendError(
        res,
        scriptedError.status,
        scriptedError.type ?? errorType(scriptedError.status),
        scriptedError.message ?? `scripted ${scriptedError.status}`,
        headers,
      );
    }
    const reply = buildReply(step, requests.length, body, JSON.stringify([body.system, messages]).length);
    const { textGate } = step;
    const hold = textGate ? () => gates.passed(textGate, req) : () => Promise.resolve();
    if (body.stream) await streamReply(req, res, reply, step.chunkDelayMs ?? 0, hold);
    else {
      // A JSON answer has no middle: it waits at the gate whole.
      await hold();
      if (!res.destroyed) sendJson(res, 200, reply);
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    addScript: (script) => scripts.push(script),
    openGate: (name) => gates.open(name),
    reset: () => {
      gates.reset();
      scripts.splice(0, scripts.length, ...(options.scripts ?? []));
      attempts.clear();
      requests.length = 0;
      maxInFlight = inFlight;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type ReplyBlock =
  { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

interface Reply {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ReplyBlock[];
  stop_reason: string;
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number };
}

/** `seq` numbers the server's requests: tool call ids are unique across agents, as the real API's are. */
function buildReply(step: ScriptedTurn, seq: number, body: RequestBody, requestChars: number): Reply {
  const content: ReplyBlock[] = [];
  if (step.text) content.push({ type: 'text', text: step.text });
  (step.toolCalls ?? []).forEach((call, i) =>
    content.push({ type: 'tool_use', id: `toolu_scripted_${seq}_${i}`, name: call.name, input: call.input }),
  );
  const outputChars = JSON.stringify(content).length;
  return {
    id: `msg_scripted_${seq}`,
    type: 'message',
    role: 'assistant',
    model: body.model ?? 'scripted',
    content,
    stop_reason: step.stopReason ?? (step.toolCalls?.length ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    // A rough count (4 characters a token), so accounting has real numbers to add up.
    usage: { input_tokens: Math.ceil(requestChars / 4), output_tokens: Math.ceil(outputChars / 4) },
  };
}

async function streamReply(
  req: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
  chunkDelayMs: number,
  /** Waited for where the text's first half ends (textGate); a reply has one text block. */
  hold: () => Promise<void>,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const pause = () => (chunkDelayMs ? sleepUnlessClosed(req, chunkDelayMs) : Promise.resolve());
  send('message_start', {
    type: 'message_start',
    message: {
      ...reply,
      content: [],
      stop_reason: null,
      usage: { input_tokens: reply.usage.input_tokens, output_tokens: 1 },
    },
  });
  for (const [index, block] of reply.content.entries()) {
    if (res.destroyed) return;
    if (block.type === 'text') {
      send('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'text', text: '' },
      });
      const pieces = chunks(block.text, 24);
      for (const [i, piece] of pieces.entries()) {
        send('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'text_delta', text: piece },
        });
        await pause();
        if (i === Math.ceil(pieces.length / 2) - 1) {
          await hold();
          if (res.destroyed) return;
        }
      }
    } else {
      send('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      for (const piece of chunks(JSON.stringify(block.input), 40)) {
        send('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: piece },
        });
        await pause();
      }
    }
    send('content_block_stop', { type: 'content_block_stop', index });
  }
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: reply.stop_reason, stop_sequence: null },
    usage: { output_tokens: reply.usage.output_tokens },
  });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [''];
}

function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b: { type?: string; text?: string }) => (b.type === 'text' ? (b.text ?? '') : ''))
    .join('');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sleepUnlessClosed(req: IncomingMessage, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    req.socket.once('close', done);
    function done() {
      clearTimeout(timer);
      req.socket.off('close', done);
      resolve();
    }
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return void res.end();
  sendJson(res, status, { type: 'error', error: { type, message } }, headers);
}
