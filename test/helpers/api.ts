/* eslint-disable @typescript-eslint/no-explicit-any -- tests read answers loosely; expect() checks their shape */
/** The control API over the harness's client, on a free loopback port, with three users and an operator. */
import pino from 'pino';
import { startApi, type ApiOptions, type ApiServer } from '../../src/api/server';
import { TEST_MODEL, waitForStatus, type Harness } from './harness';

export const USERS = {
  alice: { token: 'alice-token-0123456789abcdef', workspaces: ['acme'] },
  bob: { token: 'bob-token-0123456789abcdef-xyz', workspaces: ['acme'] },
  carol: { token: 'carol-token-0123456789abcdef-q', workspaces: ['beta'] },
  ops: { token: 'ops-token-0123456789abcdef-adm', workspaces: ['acme'], admin: true },
  /** The fuzzer, alone in a workspace: it sees only what it made. */
  fuzz: { token: 'fuzz-token-0123456789abcdef-zz', workspaces: ['fuzz'] },
  /** Alone in a workspace of the suite's own: the API of `soloTokens`, not of TOKENS_JSON. */
  solo: { token: 'solo-token-0123456789abcdef-one', workspaces: [] },
} as const;
export type User = keyof typeof USERS;

export const TOKENS_JSON = JSON.stringify({
  users: Object.entries(USERS)
    .filter(([id]) => id !== 'solo')
    .map(([id, u]) => ({ id, ...u })),
});

/**
 * The tokens of an API whose one user, `solo`, has a workspace no other suite uses. The suites
 * share one dev server: a feed that may see everything (the open mode's, an admin's) follows
 * every suite's agents, and on a loaded machine its reads of theirs hold up its reads of the
 * suite's own.
 */
export const soloTokens = (suite: string): string =>
  JSON.stringify({
    users: [{ id: 'solo', token: USERS.solo.token, workspaces: [`${suite}-${Date.now().toString(36)}`] }],
  });

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestApi {
  url: string;
  server: ApiServer;
  /** A JSON request as `user` (or with no credentials when undefined). */
  call<T = any>(
    user: User | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer<T>>;
  close(): Promise<void>;
}

type ApiConfig = ApiOptions['config'];

/** The control API in process, on loopback, over the harness's client and queue: tests, the bench, the soak. */
export function startLocalApi(
  h: Pick<Harness, 'client' | 'taskQueue' | 'address'> & Partial<Pick<Harness, 'namespace'>>,
  {
    api,
    config,
    ...options
  }: Partial<Omit<ApiOptions, 'config'>> & {
    api?: Partial<ApiConfig['api']>;
    config?: Partial<ApiConfig>;
  } = {},
): Promise<ApiServer> {
  return startApi({
    client: h.client,
    config: {
      taskQueue: h.taskQueue,
      model: TEST_MODEL,
      user: 'local',
      workspace: 'default',
      api: { host: '127.0.0.1', port: 0, ...api },
      staleAfterSeconds: 120,
      temporalAddress: h.address,
      namespace: h.namespace ?? 'default',
      ...config,
    },
    log: pino({ level: process.env.ORCHESTRA_LOG_LEVEL ?? 'error' }),
    ...options,
  });
}

export async function startTestApi(
  h: Harness,
  options: {
    tokens?: string | null;
    staleAfterSeconds?: number;
    pollMs?: number;
    requestTimeoutMs?: number;
    queryTimeoutMs?: number;
    viewWaitMs?: number;
  } = {},
): Promise<TestApi> {
  const server = await startLocalApi(h, {
    api: { tokens: options.tokens === null ? undefined : (options.tokens ?? TOKENS_JSON) },
    config: { staleAfterSeconds: options.staleAfterSeconds ?? 120 },
    // The product's own tick (250 ms) unless a suite asks: at 100 ms each suite's feed listed,
    // and described every agent at work in the whole run, ten times a second: two thirds of the
    // dev server's lists and most of its describes in a run (README, Development).
    pollMs: options.pollMs,
    requestTimeoutMs: options.requestTimeoutMs,
    queryTimeoutMs: options.queryTimeoutMs,
    // The product's 150 ms is a latency target (the bench and api-live-views hold it). A suite
    // reading a view's content on a loaded machine, three suites at once, would otherwise get
    // the server's record of a finished run: a worker's view of it is a replay, seconds at worst.
    viewWaitMs: options.viewWaitMs ?? 1000,
  });
  const url = `${server.url}/api/v1`;
  return {
    url,
    server,
    async call(user, method, path, body, headers = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(user ? { authorization: `Bearer ${USERS[user].token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed as any, headers: response.headers };
    },
    close: () => server.close(),
  };
}

/** Start the API before the suite and close it after; the returned object stands for it. */
export function useApi(h: Harness, options: Parameters<typeof startTestApi>[1] = {}): TestApi {
  let current: TestApi | undefined;
  beforeAll(async () => {
    current = await startTestApi(h, options);
  });
  afterAll(() => current?.close());
  return new Proxy({} as TestApi, {
    get(_target, key) {
      if (!current) throw new Error('the API is used before beforeAll started it');
      return current[key as keyof TestApi];
    },
  });
}

/**
 * A suite's local APIs, started on demand and closed after it: `start(api, options)` gives the
 * server and its /api/v1 URL (`address`: another Temporal address for the API's config).
 */
export function localApis(h: Harness) {
  const apis: ApiServer[] = [];
  afterAll(() => Promise.all(apis.map((a) => a.close())));
  return async (
    api: Partial<ApiConfig['api']> = {},
    { address, ...options }: Partial<ApiOptions> & { address?: string } = {},
  ): Promise<ApiServer & { base: string }> => {
    const server = await startLocalApi(h, {
      api,
      ...(address ? { config: { temporalAddress: address } } : {}),
      ...options,
    });
    apis.push(server);
    return Object.assign(server, { base: `${server.url}/api/v1` });
  };
}

/** An agent `user` spawned through `api` that works on (a tool call every 300 ms), once it runs. */
export async function runningAgent(h: Harness, api: TestApi, user: User): Promise<string> {
  const r = await api.call(user, 'POST', '/agents', {
    task: h.busyTask(300),
    cwd: await h.tempDir(),
    tuning: { modelHeartbeatTimeoutSeconds: 5 },
  });
  expect(r.status).toBe(201);
  await waitForStatus(h.client, r.body.id, (v) => v.status === 'running');
  return r.body.id;
}

/** Each of `calls` as `user` answers exactly what an unknown id gets: 404 `not_found` with `message`, nothing that says more. */
export async function expectEachNotFound(
  api: TestApi,
  user: User,
  calls: ReadonlyArray<readonly [method: string, path: string, body?: unknown]>,
  message: string,
): Promise<void> {
  for (const [method, path, body] of calls) {
    const r = await api.call(user, method, path, body);
    expect({ method, path, status: r.status, body: r.body }).toEqual({
      method,
      path,
      status: 404,
      body: { error: { code: 'not_found', message } },
    });
  }
}
