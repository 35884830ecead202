/** CORS for a dashboard hosted elsewhere, and signing in leaves neither token, cookie nor CSRF token in the logs. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig, webUiLink } from '../src/config';
import { useHarness } from './helpers/harness';
import { localApis, startLocalApi, TOKENS_JSON, useApi, USERS } from './helpers/api';
import { until } from './helpers/poll';
import { rawRequest } from './helpers/raw-http';
import { asBrowser, signInAt } from './helpers/sign-in';

const h = useHarness();
const api = useApi(h);
const start = localApis(h);
const json = { 'content-type': 'application/json' };

describe('CORS for a dashboard hosted elsewhere', () => {
  const dashboard = 'https://dash.example.com';

  test('an allowed origin gets its preflight answered and CORS headers; any other gets none and changes nothing', async () => {
    const cors = await start({ tokens: TOKENS_JSON, corsOrigins: [dashboard] });
    const preflight = (origin: string) =>
      rawRequest(`${cors.base}/agents`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-csrf-token',
        },
      });
    const allowed = await preflight(dashboard);
    expect(allowed.status).toBe(204);
    expect(allowed.headers).toMatchObject({
      'access-control-allow-origin': dashboard,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': expect.stringContaining('POST'),
      'access-control-allow-headers': 'Authorization, Content-Type, X-CSRF-Token, Last-Event-ID',
    });
    const foreign = await preflight('https://evil.example');
    expect(Object.keys(foreign.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);

    const me = (origin: string) =>
      rawRequest(`${cors.base}/me`, { headers: { origin, authorization: `Bearer ${USERS.alice.token}` } });
    expect((await me(dashboard)).headers['access-control-allow-origin']).toBe(dashboard);
    expect((await me('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();

    // State-changing requests: the allowed origin passes the Origin check (and then finds no such agent).
    const pause = (origin: string) =>
      rawRequest(`${cors.base}/agents/no-such-agent/pause`, {
        method: 'POST',
        headers: { ...json, origin, authorization: `Bearer ${USERS.alice.token}` },
        body: '{}',
      });
    expect((await pause(dashboard)).status).toBe(404);
    const refused = await pause('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('origin_not_allowed');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    // And without the variable: no CORS headers for anyone.
    const plain = await rawRequest(`${api.url}/me`, {
      headers: { origin: dashboard, authorization: `Bearer ${USERS.alice.token}` },
    });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('a bad ORCHESTRA_API_CORS_ORIGINS stops the API with the entry named', async () => {
    for (const bad of [
      '*',
      'dash.example.com',
      'https://dash.example.com/',
      'https://Dash.example.com',
      'ftp://x.example',
    ]) {
      expect(() => loadConfig({ ORCHESTRA_API_CORS_ORIGINS: `https://ok.example,${bad}` })).toThrow(
        /ORCHESTRA_API_CORS_ORIGINS/,
      );
    }
    expect(
      loadConfig({ ORCHESTRA_API_CORS_ORIGINS: 'https://a.example, http://10.0.0.5:3000' }).api.corsOrigins,
    ).toEqual(['https://a.example', 'http://10.0.0.5:3000']);
    await expect(start({ tokens: TOKENS_JSON, corsOrigins: ['https://dash.example.com/'] })).rejects.toThrow(
      /ORCHESTRA_API_CORS_ORIGINS: .*https:\/\/dash\.example\.com\//,
    );
  });
});

test("the dashboard's config links the Web UI on ORCHESTRA_UI_PORT, as the CLI's links do", async () => {
  const config = loadConfig({ ORCHESTRA_UI_PORT: '9911' });
  const server = await startLocalApi(h, { config: { uiPort: config.uiPort } });
  try {
    const answer = await rawRequest(`${server.url}/dashboard/config.json`);
    expect(answer.status).toBe(200);
    expect(answer.body.webUi).toBe(
      webUiLink({ ...config, temporalAddress: h.address, namespace: h.namespace }, ''),
    );
    expect(answer.body.webUi).toMatch(/^http:\/\/[^/]+:9911\/namespaces\//);
  } finally {
    await server.close();
  }
});

test('neither the token, the cookie nor the CSRF token appears in the logs', async () => {
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  const logging = await start({ tokens: TOKENS_JSON }, { log: pino({ level: 'trace' }, sink) });
  const alice = await signInAt(logging.base, 'alice');
  await asBrowser(logging.base, alice, 'GET', '/agents?limit=1');
  await asBrowser(logging.base, alice, 'POST', '/agents/nope/pause', { body: {} });
  await asBrowser(logging.base, alice, 'POST', '/logout', { csrf: alice.csrf });
  await rawRequest(`${logging.base}/login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ token: USERS.carol.token.slice(0, -1) + 'Z' }),
  });
  await rawRequest(`${logging.base}/me`, { headers: { authorization: `Bearer ${USERS.bob.token}` } });
  await until(
    async () => logged,
    (text) => text.split('"msg":"request"').length > 6,
    'request lines',
    5000,
  );
  expect(logged).toContain('"path":"/api/v1/login"');
  for (const secret of [
    USERS.alice.token,
    USERS.bob.token,
    USERS.carol.token.slice(0, -1),
    alice.cookie.split('=')[1],
    alice.cookie.split('=')[1].split('.')[1],
    alice.csrf,
  ]) {
    expect(logged).not.toContain(secret);
  }
});
