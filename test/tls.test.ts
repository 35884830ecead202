/**
 * TLS, mTLS and an API key to the Temporal server, from the `temporal` CLI's own environment
 * variables: through a TLS front on the dev server that checks all three.
 */
import { rm } from 'node:fs/promises';
import { NativeConnection } from '@temporalio/worker';
import { closeConnection, connectClient } from '../src/temporal/connection';
import { spawnAgent, waitForAgent } from '../src/temporal/agents';
import { temporalAuth } from '../src/temporal/tls';
import { createOrchestraWorker } from '../workers/worker';
import { runCliHere } from './helpers/cli';
import { testAddress, useHarness } from './helpers/harness';
import { makePki, startTlsProxy, type TestPki, type TlsProxy } from './helpers/tls-proxy';
import { runBundles } from './helpers/workflow-bundle';

const h = useHarness({ worker: false });
const API_KEY = 'orchestra-test-api-key';
let pki: TestPki;
let proxy: TlsProxy;

beforeAll(async () => {
  pki = await makePki();
  proxy = await startTlsProxy(testAddress(), pki, { mtls: true, apiKey: API_KEY });
});
afterAll(async () => {
  await proxy?.close();
  if (pki) await rm(pki.dir, { recursive: true, force: true });
});

const env = () => ({
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caPath,
  TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCertPath,
  TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKeyPath,
  TEMPORAL_API_KEY: API_KEY,
});

test('a worker and a client over mTLS with an API key run an agent to its end', async () => {
  const auth = temporalAuth(env());
  expect(auth.tls).toMatchObject({
    serverRootCACertificate: expect.any(Buffer),
    clientCertPair: expect.any(Object),
  });
  const client = await connectClient({ temporalAddress: proxy.address, namespace: 'default' }, { auth });
  const connection = await NativeConnection.connect({ address: proxy.address, ...auth });
  const taskQueue = `${h.taskQueue}-tls`;
  const worker = await createOrchestraWorker({
    connection,
    namespace: 'default',
    taskQueue,
    deps: { endpoint: { apiKey: 'test-key', baseURL: h.model.url }, defaultModel: h.defaults.model },
    workflowBundles: runBundles(),
  });
  const running = worker.run();
  try {
    const { id } = await spawnAgent(
      client,
      { ...h.defaults, taskQueue },
      { task: h.script([{ text: 'over TLS' }]), cwd: await h.tempDir() },
    );
    expect(await waitForAgent(client, id)).toMatchObject({ status: 'completed', result: 'over TLS' });
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await closeConnection(client.connection);
  }
});

test('the CLI reads the same variables; without the client certificate or with another key it is refused', async () => {
  const cli = (extra: Record<string, string>) =>
    runCliHere(['health'], { TEMPORAL_ADDRESS: proxy.address, ...extra });
  expect(await cli(env())).toMatchObject({ code: 0, stdout: expect.stringMatching(/answers/) });

  const refusedBefore = proxy.refused;
  const wrongKey = await cli({ ...env(), TEMPORAL_API_KEY: 'not-the-key' });
  expect(wrongKey.code).not.toBe(0);
  expect(wrongKey.stderr).toMatch(/refused this client \(missing or wrong API key\); check TEMPORAL_API_KEY/);
  expect(proxy.refused).toBeGreaterThan(refusedBefore);

  const { TEMPORAL_TLS_CLIENT_CERT_PATH: _c, TEMPORAL_TLS_CLIENT_KEY_PATH: _k, ...noCert } = env();
  expect((await cli(noCert)).code).not.toBe(0);
  // Plaintext to a TLS port fails too.
  expect((await cli({ TEMPORAL_TLS: 'false' })).code).not.toBe(0);
});

test('TLS settings that cannot work are clear errors', () => {
  expect(() => temporalAuth({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/x' })).toThrow(/cannot read \/x/);
  expect(() =>
    temporalAuth({ TEMPORAL_TLS_CLIENT_CERT_DATA: 'pem', TEMPORAL_TLS_CLIENT_KEY_DATA: undefined }),
  ).toThrow(/needs its key/);
  expect(() =>
    temporalAuth({ TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'a', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/a' }),
  ).toThrow(/not both/);
  expect(() => temporalAuth({ TEMPORAL_TLS: 'yes' })).toThrow(/TEMPORAL_TLS/);
  expect(() => temporalAuth({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_NAME: 'x' })).toThrow(
    /TEMPORAL_TLS=false/,
  );
  expect(() => temporalAuth({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' })).toThrow(/in clear text/);
  expect(temporalAuth({})).toEqual({});
  expect(temporalAuth({ TEMPORAL_API_KEY: 'k' })).toEqual({ tls: {}, apiKey: 'k' });
});
