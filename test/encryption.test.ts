/** Payload encryption: what reaches Temporal is sealed; the codec server opens it for token holders. */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import {
  EncryptionCodec,
  EncryptionKeyError,
  newKeyEntry,
  parseEncryptionKeys,
  ENCRYPTED_ENCODING,
} from '../src/codec/encryption';
import { startCodecServer } from '../src/codec/server';
import { TokenTable } from '../src/api/tokens';
import { agentHandle, agentStatus, listAgents, waitForAgent } from '../src/temporal/agents';
import { ZONES_QUEUE, zonesWorkflowId } from '../src/domain';
import { createZoneUpdate } from '../workflows/protocol';
import { zonesWorkflow } from '../workflows/zones/workflow';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

const keys = parseEncryptionKeys(`${newKeyEntry('k2')},${newKeyEntry('k1')}`);
const codec = new EncryptionCodec(keys);
const h = useHarness({ payloadCodecs: [codec] });

const json = (value: unknown): Payload => ({
  metadata: { encoding: new TextEncoder().encode('json/plain') },
  data: new TextEncoder().encode(JSON.stringify(value)),
});
/** Every byte string inside a decoded history (payload data and metadata). */
function bytesIn(value: unknown, seen = new Set<unknown>()): Uint8Array[] {
  if (value instanceof Uint8Array) return [value];
  if (!value || typeof value !== 'object' || seen.has(value)) return [];
  seen.add(value);
  return Object.values(value).flatMap((v) => bytesIn(v, seen));
}
const text = (b?: Uint8Array | null) => new TextDecoder().decode(b ?? new Uint8Array());

describe('the codec', () => {
  test('seals with the first key, opens with any listed key, passes unsealed payloads through', async () => {
    const [sealed] = await codec.encode([json({ secret: 'hunter2' })]);
    expect(text(sealed.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed.metadata?.['encryption-key-id'])).toBe('k2');
    expect(text(sealed.data)).not.toContain('hunter2');
    const [opened] = await codec.decode([sealed]);
    expect(JSON.parse(text(opened.data))).toEqual({ secret: 'hunter2' });
    // Rotation: k3 now seals; what k2 sealed still opens while k2 is listed.
    const rotated = new EncryptionCodec(parseEncryptionKeys(`${newKeyEntry('k3')},${newKeyEntry('x')}`));
    await expect(rotated.decode([sealed])).rejects.toThrow(/sealed with key "k2", which .* does not list/);
    const both = new EncryptionCodec([parseEncryptionKeys(newKeyEntry('k3'))[0], keys[0]]);
    expect(JSON.parse(text((await both.decode([sealed]))[0].data))).toEqual({ secret: 'hunter2' });
    // Older, unsealed payloads stay readable.
    expect(await codec.decode([json(1)])).toEqual([json(1)]);
  });

  test('a changed byte or a relabelled key fails to open', async () => {
    const [sealed] = await codec.encode([json('x')]);
    const flipped = Buffer.from(sealed.data!);
    flipped[20] ^= 1;
    await expect(codec.decode([{ ...sealed, data: flipped }])).rejects.toThrow();
    const relabelled = {
      ...sealed,
      metadata: { ...sealed.metadata, 'encryption-key-id': new TextEncoder().encode('k1') },
    };
    await expect(codec.decode([relabelled])).rejects.toThrow();
  });

  test('bad key settings are clear errors', () => {
    expect(() => parseEncryptionKeys('k1=c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => parseEncryptionKeys('no-equals-sign')).toThrow(/<key id>=<base64 key>/);
    const entry = newKeyEntry('same');
    expect(() => parseEncryptionKeys(`${entry},${entry}`)).toThrow(/unique/);
    expect(() => parseEncryptionKeys('')).toThrow(EncryptionKeyError);
  });
});

test("an agent's task, conversation and result reach Temporal sealed, and the agent works as before", async () => {
  const marker = `secret-${randomUUID()}`;
  const task = h.script(
    [
      { toolCalls: [{ name: 'write_file', input: { path: 'notes.txt', content: marker } }] },
      { text: `done: ${marker}` },
    ],
    { task: `remember ${marker}` },
  );
  const id = await h.spawn({ task });
  const result = await waitForAgent(h.client, id);
  expect(result).toMatchObject({ status: 'completed', result: `done: ${marker}` });
  expect((await agentStatus(h.client, id)).status).toBe('completed');

  // A client without the keys sees what the server stores.
  const raw = new Client({ connection: h.client.connection, namespace: h.namespace });
  const history = await raw.workflow.getHandle(agentHandle(h.client, id).workflowId).fetchHistory();
  const stored = Buffer.concat(bytesIn(history.events));
  expect(stored.length).toBeGreaterThan(1000);
  expect(stored.includes(marker)).toBe(false);
  const started = history.events?.[0].workflowExecutionStartedEventAttributes;
  expect(text(started?.input?.payloads?.[0].metadata?.encoding)).toBe(ENCRYPTED_ENCODING);

  // Its memo (name and task, for listings) is sealed too: a client with the keys lists it whole,
  // one without them still lists it, without name and task, rather than failing the whole list.
  const entry = async (client: Client) =>
    until(
      async () => (await listAgents(client, { status: 'completed' })).items.find((a) => a.id === id),
      (found) => found !== undefined,
      'the sealed agent in a listing',
    );
  expect(await entry(h.client)).toMatchObject({ task: expect.stringContaining(`remember ${marker}`) });
  const blind = await entry(raw);
  expect(blind).toMatchObject({ id, status: 'completed' });
  expect(blind).not.toHaveProperty('task');

  // A running one too: its listed run has fields at their defaults (no history length yet),
  // which listing it without its memo must keep (a 500 from the API and a failed `agent list`
  // for every client without the keys, while a sealed agent ran).
  const busy = await h.spawn({ task: h.busyTask(300) });
  const running = await until(
    async () => (await listAgents(raw, { status: 'running' })).items.find((a) => a.id === busy),
    (found) => found !== undefined,
    'the running sealed agent in a listing without the keys',
  );
  expect(running).toMatchObject({ id: busy, status: 'running', temporalStatus: 'RUNNING' });
  expect(running).not.toHaveProperty('task');
  await agentHandle(h.client, busy).cancel();
});

// The run's other suites share its namespace, where every worker also serves the workspaces'
// zones stores and cost ledgers: a worker that seals must not be one of them (one that took
// the dashboard suite's store failed its zone create with a 500: that suite's CI failure).
test("the sealing worker serves no zones store of the run's namespace, where clients hold no keys", async () => {
  expect(h.namespace).not.toBe('default');
  const plain = new Client({ connection: h.client.connection });
  const workspace = `plain-${randomUUID().slice(0, 6)}`;
  const store = await plain.workflow.start(zonesWorkflow, {
    taskQueue: ZONES_QUEUE,
    workflowId: zonesWorkflowId(workspace),
    args: [{ workspace, zones: [], assignments: {} }],
  });
  try {
    // Taken by the run's plain workers if any poll now (another suite's), else by none in time.
    const answer = await plain
      .withDeadline(Date.now() + 3000, () =>
        store.executeUpdate(createZoneUpdate, { args: [{ id: 'plain1', name: 'plain' }] }),
      )
      .then(
        (zone) => zone.name,
        (err: Error) => `${err.message} ${String((err.cause as Error)?.message)}`,
      );
    expect(answer).not.toMatch(/encrypted/);
  } finally {
    await store.terminate('test done');
  }
});

describe('orchestra codec-server', () => {
  const tokens = TokenTable.parse(
    JSON.stringify({ users: [{ id: 'alice', token: 'alice-token-0123456789abcdef', workspaces: ['acme'] }] }),
    'test',
  );

  test('opens sealed payloads for a token holder, from the Web UI origin only', async () => {
    const server = await startCodecServer({
      codec,
      tokens,
      origins: ['http://localhost:8233'],
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const [sealed] = await codec.encode([json({ answer: 42 })]);
      const body = {
        payloads: [
          {
            metadata: Object.fromEntries(
              Object.entries(sealed.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
            ),
            data: Buffer.from(sealed.data!).toString('base64'),
          },
        ],
      };
      const post = (path: string, init: RequestInit) =>
        fetch(`${server.url}${path}`, { method: 'POST', ...init });
      const headers = { 'content-type': 'application/json', 'x-namespace': 'default' };

      const anonymous = await post('/decode', { headers, body: JSON.stringify(body) });
      expect(anonymous.status).toBe(401);

      const decoded = await post('/decode', {
        headers: { ...headers, authorization: 'Bearer alice-token-0123456789abcdef' },
        body: JSON.stringify(body),
      });
      expect(decoded.status).toBe(200);
      const [out] = ((await decoded.json()) as { payloads: Array<{ data: string }> }).payloads;
      expect(JSON.parse(Buffer.from(out.data, 'base64').toString())).toEqual({ answer: 42 });

      const preflight = await fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
      const foreign = await fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(foreign.status).toBe(403);
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

      const garbage = await post('/decode', {
        headers: { ...headers, authorization: 'Bearer alice-token-0123456789abcdef' },
        body: JSON.stringify({ payloads: [{ data: '%%%' }] }),
      });
      expect(garbage.status).toBe(400);
      const notJson = await post('/decode', {
        headers: { ...headers, authorization: 'Bearer alice-token-0123456789abcdef' },
        body: '{',
      });
      expect(notJson.status).toBe(400);
    } finally {
      await server.close();
    }
  });

  test('a page on another name (DNS rebinding) is refused, as by the API', async () => {
    const server = await startCodecServer({
      codec,
      origins: ['http://localhost:8233'],
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const { port } = new URL(server.url);
      const ask = (host: string, origin?: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port,
              path: '/decode',
              method: 'POST',
              headers: { host, 'content-type': 'application/json', ...(origin ? { origin } : {}) },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end(JSON.stringify({ payloads: [] }));
        });
      expect(await ask('evil.example.com')).toBe(421);
      expect(await ask(`localhost:${port}`, 'http://evil.example.com')).toBe(403);
      expect(await ask(`localhost:${port}`, 'http://localhost:8233')).toBe(200);
      expect(await ask(`127.0.0.1:${port}`)).toBe(200);
    } finally {
      await server.close();
    }
  });

  test('without tokens it listens on loopback only', async () => {
    await expect(startCodecServer({ codec, origins: [], host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /refusing to serve decoded payloads on 0.0.0.0 without tokens/,
    );
  });
});
