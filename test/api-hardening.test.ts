/**
 * The control API under hostile input: it answers only to its own names (DNS rebinding,
 * cross-site pages) and turns every malformed request into a 4xx with the usual JSON error.
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { useHarness } from './helpers/harness';
import { localApis, TOKENS_JSON, USERS } from './helpers/api';
import { rawRequest } from './helpers/raw-http';

const h = useHarness();
const start = localApis(h);
const bearer = (user: keyof typeof USERS) => ({ authorization: `Bearer ${USERS[user].token}` });
const json = { 'content-type': 'application/json' };

describe('the API answers only to its own names', () => {
  test('without tokens: a foreign Host is refused with 421, loopback names with its port are served', async () => {
    const api = await start();
    for (const host of [
      'evil.example',
      `evil.example:${api.port}`,
      `localhost:${api.port + 1}`,
      '127.0.0.1',
    ]) {
      const r = await rawRequest(`${api.base}/agents`, { headers: { host } });
      expect({ host, status: r.status }).toEqual({ host, status: 421 });
      expect(r.body).toEqual({ error: { code: 'host_not_allowed', message: expect.stringContaining(host) } });
    }
    // The public routes too: a rebinding page must not read even the health of Temporal.
    expect((await rawRequest(`${api.base}/health`, { headers: { host: 'evil.example' } })).status).toBe(421);
    for (const host of [
      `localhost:${api.port}`,
      `127.0.0.1:${api.port}`,
      `127.1.2.3:${api.port}`,
      `[::1]:${api.port}`,
    ]) {
      const r = await rawRequest(`${api.base}/agents?limit=1`, { headers: { host } });
      expect({ host, status: r.status }).toEqual({ host, status: 200 });
    }
  });

  test('with tokens the Host check holds as well, a valid token or not', async () => {
    const api = await start({ tokens: TOKENS_JSON });
    const foreign = await rawRequest(`${api.base}/agents`, {
      headers: { host: `rebound.example:${api.port}`, ...bearer('alice') },
    });
    expect(foreign.status).toBe(421);
    expect(foreign.body.error.code).toBe('host_not_allowed');
    const home = await rawRequest(`${api.base}/agents?limit=1`, {
      headers: { host: `localhost:${api.port}`, ...bearer('alice') },
    });
    expect(home.status).toBe(200);
  });

  test('a cross-site page may not change anything: a POST with a foreign Origin is refused with 403', async () => {
    const api = await start();
    const spawn = (origin?: string) =>
      rawRequest(`${api.base}/agents`, {
        method: 'POST',
        headers: { ...json, ...(origin ? { origin } : {}) },
        body: JSON.stringify({ task: 'rm -rf ~', cwd: '/tmp' }),
      });
    for (const origin of ['https://evil.example', 'null', `http://localhost:${api.port + 1}`]) {
      const r = await spawn(origin);
      expect({ origin, status: r.status }).toEqual({ origin, status: 403 });
      expect(r.body.error.code).toBe('origin_not_allowed');
    }
    const cancel = await rawRequest(`${api.base}/agents/someone/cancel`, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(cancel.status).toBe(403);
    // A page served from the API's own origin, and a client that sends no Origin, get through.
    const own = await rawRequest(`${api.base}/agents`, {
      method: 'POST',
      headers: { ...json, origin: `http://127.0.0.1:${api.port}` },
      body: '{}',
    });
    expect(own.body.error.code).toBe('invalid_request'); // past the check, to the body's
    // A GET with a foreign Origin is served: the browser does not let the page read it.
    const look = await rawRequest(`${api.base}/agents?limit=1`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(look.status).toBe(200);
  });

  test('the operator adds names (ORCHESTRA_API_ALLOWED_HOSTS), or turns the checks off with *', async () => {
    const listed = await start({ allowedHosts: ['orchestra.example.com', '*.corp.example', 'box:9000'] });
    for (const [host, status] of [
      ['orchestra.example.com', 200],
      ['orchestra.example.com:443', 200],
      ['api.corp.example', 200],
      ['box:9000', 200],
      ['box:9001', 421],
      ['corp.example', 421],
      ['*.corp.example', 421],
      ['orchestra.example.com.evil.example', 421],
    ] as const) {
      const r = await rawRequest(`${listed.base}/agents?limit=1`, { headers: { host } });
      expect({ host, status: r.status }).toEqual({ host, status });
    }
    const post = await rawRequest(`${listed.base}/agents`, {
      method: 'POST',
      headers: { ...json, host: 'orchestra.example.com', origin: 'https://orchestra.example.com' },
      body: '{}',
    });
    expect(post.status).toBe(400); // past both checks
    const open = await start({ allowedHosts: ['*'] });
    const anyHost = await rawRequest(`${open.base}/agents`, {
      method: 'POST',
      headers: { ...json, host: 'anything.example', origin: 'https://elsewhere.example' },
      body: '{}',
    });
    expect(anyHost.status).toBe(400);
  });
});

describe('nothing a client sends is a 500', () => {
  let base: string;
  beforeAll(async () => {
    base = (await start({ tokens: TOKENS_JSON })).base;
  });
  const post = (headers: Record<string, string>, body: Buffer | string) =>
    rawRequest(`${base}/agents`, {
      method: 'POST',
      headers: { ...json, ...bearer('alice'), ...headers },
      body,
    });

  test('a path that is not valid percent-encoding is a 400', async () => {
    for (const p of ['/agents/%FF%FE', '/agents/%E0%A4%A', '/swarms/%C0%AF/events']) {
      const r = await rawRequest(`${base}${p}`, { headers: bearer('alice') });
      expect({ p, status: r.status }).toEqual({ p, status: 400 });
      expect(r.body).toEqual({ error: { code: 'malformed_path', message: expect.any(String) } });
    }
  });

  test('a body that does not inflate as its Content-Encoding says is a 400; an unknown encoding a 415', async () => {
    const garbage = Buffer.from('this is not compressed at all, not even a little');
    for (const encoding of ['gzip', 'br', 'deflate']) {
      const r = await post({ 'content-encoding': encoding }, garbage);
      expect({ encoding, status: r.status }).toEqual({ encoding, status: 400 });
      expect(r.body.error.code).toBe('malformed_body');
    }
    // A truncated gzip stream too.
    const cut = gzipSync(JSON.stringify({ task: 'x' })).subarray(0, 12);
    expect((await post({ 'content-encoding': 'gzip' }, cut)).status).toBe(400);
    const unknown = await post({ 'content-encoding': 'zork' }, '{}');
    expect(unknown.status).toBe(415);
    expect(unknown.body.error.code).toBe('unsupported_encoding');
    // A well-formed compressed body is read: what fails then is its content.
    for (const [encoding, body] of [
      ['gzip', gzipSync('{}')],
      ['br', brotliCompressSync('{}')],
    ] as const) {
      const r = await post({ 'content-encoding': encoding }, body);
      expect({ encoding, code: r.body.error.code }).toEqual({ encoding, code: 'invalid_request' });
    }
  });

  test('a body past the limit is a 413, compressed or not', async () => {
    const big = await post({}, Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('body_too_large');
    // 20 MB of spaces in 20 kB of gzip: the limit is on what it inflates to.
    const bomb = await post({ 'content-encoding': 'gzip' }, gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)));
    expect(bomb.status).toBe(413);
  });
});
