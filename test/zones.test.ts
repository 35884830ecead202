/** Zones: a workspace's named groups of agents, kept by a workflow, through the API, the CLI and the SDK. */
import { randomUUID } from 'node:crypto';
import { expectEachNotFound, startTestApi, useApi } from './helpers/api';
import { harnessEnv, runCliHere } from './helpers/cli';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

const h = useHarness({ own: true }); // a test restarts its worker
const api = useApi(h);
// Tests that only touch zones and agents of their own run at the same time (test.concurrent); a
// plain `test` says why it runs alone.
const unique = (what: string) => `${what} ${randomUUID().slice(0, 6)}`;

/** An agent of alice's (or `user`'s) that ends at once: zones do not care what agents do. */
async function agentOf(user: 'alice' | 'bob' | 'carol' = 'alice', extra: Record<string, unknown> = {}) {
  const r = await api.call(user, 'POST', '/agents', {
    task: h.script([{ text: 'ok' }]),
    cwd: await h.tempDir(),
    ...extra,
  });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

async function zoneOf(user: 'alice' | 'bob' | 'ops', name = unique('zone'), directory?: string) {
  const r = await api.call(user, 'POST', '/zones', { name, ...(directory ? { directory } : {}) });
  expect(r.status).toBe(201);
  return r.body;
}

const listed = async (user: 'alice' | 'bob' | 'carol' | 'ops', id: string) =>
  ((await api.call(user, 'GET', '/zones')).body.items as Array<{ id: string }>).find((z) => z.id === id);

test.concurrent('create, rename, assign and delete a zone through the API', async () => {
  const zone = await zoneOf('alice', unique('backend'), '/src/backend');
  expect(zone).toMatchObject({ workspace: 'acme', owner: 'alice', directory: '/src/backend', agentIds: [] });
  expect(zone.id).toMatch(/^[0-9a-f]{8}$/);

  const renamed = await api.call('alice', 'PATCH', `/zones/${zone.id}`, { name: 'api server' + zone.id });
  expect(renamed.status).toBe(200);
  expect(renamed.body.name).toBe('api server' + zone.id);
  expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(zone.createdAt));

  const [a, b] = [await agentOf(), await agentOf()];
  const put = await api.call('alice', 'PUT', `/zones/${zone.id}/agents`, { agentIds: [a, b] });
  expect(put.status).toBe(200);
  expect(put.body.agentIds).toEqual([a, b].sort());
  expect(await listed('bob', zone.id)).toMatchObject({ agentIds: [a, b].sort() });

  // GET /agents?zone= lists exactly the zone's agents.
  const inZone = await api.call('alice', 'GET', `/agents?zone=${zone.id}`);
  expect(inZone.status).toBe(200);
  expect(inZone.body.items.map((x: { id: string }) => x.id).sort()).toEqual([a, b].sort());

  // PUT sets the zone's agents: b leaves it.
  expect(
    (await api.call('alice', 'PUT', `/zones/${zone.id}/agents`, { agentIds: [a] })).body.agentIds,
  ).toEqual([a]);

  const deleted = await api.call('alice', 'DELETE', `/zones/${zone.id}`);
  expect(deleted.status).toBe(200);
  expect(deleted.body.agentIds).toEqual([a]);
  expect(await listed('alice', zone.id)).toBeUndefined();
  expect((await api.call('alice', 'GET', `/zones/${zone.id}`)).status).toBe(404);
  expect((await api.call('alice', 'GET', `/agents?zone=${zone.id}`)).status).toBe(404);
});

test.concurrent('an agent is in one zone at most: assigned to a second, it leaves the first', async () => {
  const [first, second] = [await zoneOf('alice'), await zoneOf('alice')];
  const a = await agentOf();
  await api.call('alice', 'PUT', `/zones/${first.id}/agents`, { agentIds: [a] });
  const moved = await api.call('alice', 'PUT', `/zones/${second.id}/agents`, { agentIds: [a] });
  expect(moved.body.agentIds).toEqual([a]);
  expect(await listed('alice', first.id)).toMatchObject({ agentIds: [] });
  expect(await listed('alice', second.id)).toMatchObject({ agentIds: [a] });
});

test.concurrent('deleting a zone leaves its agents in none, still running their course', async () => {
  const zone = await zoneOf('alice');
  const a = await agentOf('alice', { zone: zone.id });
  expect(await listed('alice', zone.id)).toMatchObject({ agentIds: [a] });
  await api.call('alice', 'DELETE', `/zones/${zone.id}`);
  const zones = (await api.call('alice', 'GET', '/zones?workspace=acme')).body.items as Array<{
    agentIds: string[];
  }>;
  expect(zones.flatMap((z) => z.agentIds)).not.toContain(a);
  expect((await api.call('alice', 'GET', `/agents/${a}`)).status).toBe(200);
});

// Alone: it counts alice's agents before and after a spawn that must start none.
test('POST /agents with a zone puts the new agent in it', async () => {
  const zone = await zoneOf('alice');
  const r = await api.call('alice', 'POST', '/agents', {
    task: h.script([{ text: 'ok' }]),
    cwd: await h.tempDir(),
    zone: zone.id,
  });
  expect(r.status).toBe(201);
  expect(r.body.zone).toBe(zone.id);
  expect(await listed('alice', zone.id)).toMatchObject({ agentIds: [r.body.id] });
  // An unknown zone starts nothing. The list is the server's visibility store, which catches up
  // with a new agent a moment later: count once it shows the one just started.
  const before = (
    await until(
      async () => (await api.call('alice', 'GET', '/agents?limit=200')).body.items as Array<{ id: string }>,
      (items) => items.some((i) => i.id === r.body.id),
      'the new agent in the list',
    )
  ).length;
  const bad = await api.call('alice', 'POST', '/agents', {
    task: 'x',
    cwd: await h.tempDir(),
    zone: 'nope0000',
  });
  expect(bad.status).toBe(404);
  expect(bad.body.error).toEqual({ code: 'not_found', message: 'no zone with id "nope0000"' });
  expect((await api.call('alice', 'GET', '/agents?limit=200')).body.items.length).toBe(before);
});

test.concurrent(
  'members see a zone; only its owner (or an admin) changes it, and only with agents they own; strangers get 404',
  async () => {
    const zone = await zoneOf('alice');
    const alices = await agentOf('alice');
    const bobs = await agentOf('bob');
    const carols = await agentOf('carol');

    // bob, a member: sees it, may not change it.
    expect(await listed('bob', zone.id)).toBeDefined();
    expect((await api.call('bob', 'GET', `/zones/${zone.id}`)).status).toBe(200);
    for (const [method, path, body, action] of [
      ['PATCH', `/zones/${zone.id}`, { name: 'mine now' }, 'rename'],
      ['DELETE', `/zones/${zone.id}`, undefined, 'delete'],
      ['PUT', `/zones/${zone.id}/agents`, { agentIds: [bobs] }, 'assign agents to'],
    ] as const) {
      const r = await api.call('bob', method, path, body);
      expect({ action, status: r.status, body: r.body }).toEqual({
        action,
        status: 403,
        body: { error: { code: 'forbidden', message: `only the zone's owner (alice) may ${action} it` } },
      });
    }
    // ... nor put his agent in alice's zone at spawn.
    expect(
      (await api.call('bob', 'POST', '/agents', { task: 'x', cwd: await h.tempDir(), zone: zone.id })).status,
    ).toBe(403);
    // alice may not move bob's agent; nor name carol's, which she cannot see.
    const notHers = await api.call('alice', 'PUT', `/zones/${zone.id}/agents`, { agentIds: [alices, bobs] });
    expect(notHers.status).toBe(403);
    expect(notHers.body.error.message).toBe(`only the agent's owner (bob) may put agent ${bobs} in a zone`);
    const unseen = await api.call('alice', 'PUT', `/zones/${zone.id}/agents`, { agentIds: [carols] });
    expect(unseen.body).toEqual({ error: { code: 'not_found', message: `no agent with id "${carols}"` } });
    expect(await listed('alice', zone.id)).toMatchObject({ agentIds: [] });

    // carol, of another workspace: exactly what an unknown id gets.
    await expectEachNotFound(
      api,
      'carol',
      [
        ['GET', `/zones/${zone.id}`],
        ['PATCH', `/zones/${zone.id}`, { name: 'x' }],
        ['DELETE', `/zones/${zone.id}`],
        ['PUT', `/zones/${zone.id}/agents`, { agentIds: [] }],
        ['GET', `/agents?zone=${zone.id}`],
      ],
      `no zone with id "${zone.id}"`,
    );
    expect(await listed('carol', zone.id)).toBeUndefined();
    expect((await api.call('carol', 'GET', '/zones?workspace=acme')).body).toEqual({ items: [] });
    expect((await api.call('carol', 'POST', '/zones', { name: 'x', workspace: 'acme' })).status).toBe(403);

    // An admin steps in.
    expect(
      (await api.call('ops', 'PUT', `/zones/${zone.id}/agents`, { agentIds: [alices, bobs] })).status,
    ).toBe(200);
    expect((await api.call('ops', 'PATCH', `/zones/${zone.id}`, { name: unique('ops named') })).status).toBe(
      200,
    );
  },
);

test.concurrent('bad input is a 400 with the field named; a name taken is a 409', async () => {
  const cases: Array<[string, string, unknown, RegExp]> = [
    ['POST', '/zones', {}, /name/],
    ['POST', '/zones', { name: '' }, /a zone needs a name/],
    ['POST', '/zones', { name: '   ' }, /a zone needs a name/],
    ['POST', '/zones', { name: 'a\nb' }, /one line of printable text/],
    ['POST', '/zones', { name: 'x'.repeat(101) }, /name/],
    ['POST', '/zones', { name: 'ok', color: 'red' }, /color/],
    ['POST', '/zones', { name: 42 }, /name/],
    ['PATCH', '/zones/BAD!', { name: 'x' }, /lower-case letters/],
    ['PATCH', '/zones/abcdef12', { nom: 'x' }, /nom/],
    ['PUT', '/zones/abcdef12/agents', { agentIds: 'a' }, /agentIds/],
    ['PUT', '/zones/abcdef12/agents', { agentIds: ['../x'] }, /agentIds/],
    ['GET', '/agents?zone=..', undefined, /zone/],
  ];
  for (const [method, path, body, message] of cases) {
    const r = await api.call('alice', method, path, body);
    expect({ method, path, status: r.status, code: r.body.error?.code }).toEqual({
      method,
      path,
      status: 400,
      code: 'invalid_request',
    });
    expect(r.body.error.message).toMatch(message);
  }
  const zone = await zoneOf('alice');
  const again = await api.call('bob', 'POST', '/zones', { name: zone.name.toUpperCase() });
  expect(again.status).toBe(409);
  expect(again.body.error).toEqual({
    code: 'already_exists',
    message: `workspace "acme" has a zone named "${zone.name.toUpperCase()}"`,
  });
  const other = await zoneOf('alice');
  expect((await api.call('alice', 'PATCH', `/zones/${other.id}`, { name: zone.name })).status).toBe(409);
  expect((await api.call('alice', 'PATCH', '/zones/abcdef12', { name: 'x' })).status).toBe(404);
});

// Alone: it restarts the worker.
test('zones survive a worker restart and are read by a new API process', async () => {
  const zone = await zoneOf('alice');
  const a = await agentOf();
  await api.call('alice', 'PUT', `/zones/${zone.id}/agents`, { agentIds: [a] });
  await h.stopWorkers();
  await h.startWorker();
  const second = await startTestApi(h);
  try {
    const read = await second.call('bob', 'GET', `/zones/${zone.id}`);
    expect(read.body).toEqual(expect.objectContaining({ id: zone.id, name: zone.name, agentIds: [a] }));
    // And it still takes changes.
    expect((await second.call('alice', 'PATCH', `/zones/${zone.id}`, { name: unique('after') })).status).toBe(
      200,
    );
  } finally {
    await second.close();
  }
});

test.concurrent('the orchestra zone commands and agent spawn/list --zone', async () => {
  const workspace = `cli-${randomUUID().slice(0, 6)}`;
  const orchestra = (args: string[]) =>
    runCliHere(args, {
      ...harnessEnv(h),
      ORCHESTRA_MODEL: 'claude-scripted-test',
      ORCHESTRA_WORKSPACE: workspace,
    });
  const created = await orchestra(['zone', 'create', 'frontend', '--dir', '/src/web', '--json']);
  expect(created).toMatchObject({ code: 0, stderr: '' });
  const zone = JSON.parse(created.stdout);
  expect(zone).toMatchObject({ name: 'frontend', directory: '/src/web', workspace, agentIds: [] });

  // Commands that do not depend on each other run at once: a CLI start is most of a CPU-second.
  const spawn = async (...more: string[]) =>
    orchestra(['agent', 'spawn', h.script([{ text: 'ok' }]), '--cwd', await h.tempDir(), ...more, '--json']);
  const [spawned, unzoned] = await Promise.all([spawn('--zone', zone.id), spawn()]);
  expect(spawned.code).toBe(0);
  const a = JSON.parse(spawned.stdout).id;
  const other = JSON.parse(unzoned.stdout).id;
  const assigned = await orchestra(['zone', 'assign', zone.id, other]);
  expect(assigned.code).toBe(0);
  expect(assigned.stdout).toContain(`agents: ${[a, other].sort().join(', ')}`);

  const [list, renamed, unnamed] = await Promise.all([
    orchestra(['agent', 'list', '--zone', zone.id, '--json']),
    orchestra(['zone', 'rename', zone.id, 'web']),
    orchestra(['zone', 'create', '']),
  ]);
  expect(
    JSON.parse(list.stdout)
      .map((x: { id: string }) => x.id)
      .sort(),
  ).toEqual([a, other].sort());
  expect(renamed.stdout).toBe(`zone ${zone.id} is now "web"\n`);
  expect(unnamed.code).toBe(2);
  const [zones, taken] = await Promise.all([
    orchestra(['zone', 'list', '--workspace', workspace, '--json']),
    orchestra(['zone', 'create', 'WEB']),
  ]);
  expect(JSON.parse(zones.stdout)).toEqual([
    expect.objectContaining({ id: zone.id, name: 'web', agentIds: [a, other].sort() }),
  ]);
  expect(taken.code).toBe(4); // the name is taken

  const deleted = await orchestra(['zone', 'delete', zone.id]);
  expect(deleted.stdout).toContain('2 agents are in no zone now');
  const [gone, none] = await Promise.all([
    orchestra(['zone', 'rename', zone.id, 'x']),
    orchestra(['zone', 'list', '--workspace', workspace]),
  ]);
  expect(gone.code).toBe(3);
  expect(none.stdout).toBe('no zones\n');
});
