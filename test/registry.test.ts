/**
 * The agent registry and model routing: built-in and user entries from the config file,
 * `orchestra registry list|show`, a bad file refused with the field named, agents routed to
 * models and backends by entry and rule, and the fallback model after repeated 529s.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { OrchestraFile } from '../src/domain';
import { startScriptedServer, type ScriptedServer } from '../src/llm/scripted-server';
import { agentEvents, agentStatus, spawnAgent, waitForAgent } from '../src/temporal/agents';
import { waitForSwarm } from '../src/temporal/swarms';
import { harnessEnv, runCliHere } from './helpers/cli';
import { startHarness, type Harness } from './helpers/harness';

const FILE: OrchestraFile = {
  agents: {
    triager: {
      description: 'Sorts incoming issues by area and urgency',
      systemPrompt: 'You are a triager. Label each issue with an area and an urgency.',
      temperature: 0.1,
      tools: ['read_file', 'grep'],
      policy: { autonomy: 'semi' },
    },
  },
  disabled: ['doc-writer'],
  routing: {
    rules: [{ agent: 'explorer', model: 'local-small', backend: 'local' }],
    fallback: { model: 'claude-fallback' },
  },
  backends: { local: { baseURL: 'http://127.0.0.1:1' } }, // the workers get the real address below
};

let local: ScriptedServer;
let h: Harness;
let configFile: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  local = await startScriptedServer();
  h = await startHarness({ file: FILE, backends: { local: { apiKey: 'local-key', baseURL: local.url } } });
  const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-config-'));
  configFile = path.join(dir, 'orchestra.config.json');
  await writeFile(configFile, JSON.stringify(FILE));
  env = { ...harnessEnv(h), ORCHESTRA_CONFIG: configFile };
});
afterAll(async () => {
  await h?.close();
  await local?.stop();
});

/** A script on the local backend; returns the task that selects it. */
function localScript(turns: Parameters<ScriptedServer['addScript']>[0]['turns']): string {
  const name = `local-${Math.random().toString(36).slice(2, 8)}`;
  local.addScript({ name, match: `[${name}]`, turns });
  return `explore [${name}]`;
}

test('`orchestra registry list` shows the built-in specialists and the user entries; `show` gives one in full', async () => {
  const list = await runCliHere(['registry', 'list'], env);
  expect(list.code).toBe(0);
  const lines = list.stdout.split('\n');
  for (const name of [
    'planner',
    'builder',
    'assistant',
    'reviewer',
    'explorer',
    'doc-writer',
    'oracle',
    'triager',
  ])
    expect(lines.some((l) => l.startsWith(name))).toBe(true);
  expect(lines.find((l) => l.startsWith('explorer'))).toMatch(
    /^explorer\s+full\s+local-small\s+Fast read-only search/,
  );
  expect(lines.find((l) => l.startsWith('oracle'))).toMatch(/^oracle\s+semi\s+claude-opus-4-5\s/);
  expect(lines.find((l) => l.startsWith('doc-writer'))).toContain('(builtin, disabled)');
  expect(lines.find((l) => l.startsWith('triager'))).toContain('(user)');

  const show = await runCliHere(['registry', 'show', 'triager'], env);
  expect(JSON.parse(show.stdout)).toMatchObject({
    name: 'triager',
    source: 'user',
    enabled: true,
    temperature: 0.1,
    tools: ['read_file', 'grep'],
    policy: { autonomy: 'semi' },
  });
  expect(await runCliHere(['registry', 'show', 'nobody'], env)).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('no agent "nobody" in the registry'),
  });
});

test('a bad config file is refused with a clear error naming the field', async () => {
  const bad = path.join(path.dirname(configFile), 'bad.json');
  await writeFile(
    bad,
    JSON.stringify({
      agents: { triager: { ...FILE.agents!.triager, temperature: 7 } },
      routing: { fallback: {} },
    }),
  );
  const run = await runCliHere(['registry', 'list'], { ...env, ORCHESTRA_CONFIG: bad });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`${bad} is not a valid Orchestra config file:`);
  expect(run.stderr).toMatch(/agents\.triager\.temperature: Too big: expected number to be <=1/);
  expect(run.stderr).toMatch(/routing\.fallback\.model: /);
  const missing = await runCliHere(['registry', 'list'], { ...env, ORCHESTRA_CONFIG: `${bad}.nope` });
  expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('which does not exist') });
});

test('a spawn names a user entry: the agent runs with its prompt, tools and autonomy; a disabled one is refused', async () => {
  const task = h.script([{ text: 'labelled' }]);
  const spawned = await runCliHere(
    ['agent', 'spawn', task, '--agent', 'triager', '--cwd', await h.tempDir(), '--json'],
    env,
  );
  expect(spawned.code).toBe(0);
  const { id } = JSON.parse(spawned.stdout) as { id: string };
  await waitForAgent(h.client, id);
  expect(await agentStatus(h.client, id)).toMatchObject({
    profile: 'triager',
    autonomy: 'semi',
    name: `triager-${id}`,
  });
  const [request] = h.requestsFor(task);
  expect(request.system).toContain('You are a triager.');
  expect(request.tools).toEqual(['read_file', 'grep']);

  const refused = await runCliHere(
    ['agent', 'spawn', 'x', '--agent', 'doc-writer', '--cwd', await h.tempDir()],
    env,
  );
  expect(refused).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('agent "doc-writer" is disabled'),
  });
});

test('routing: the explorer goes to the local backend by rule, the oracle to the strong model, as spawn, swarm member and subagent', async () => {
  const explore = localScript([{ text: 'found it in src/x.ts:3' }]);
  const explorer = (
    await spawnAgent(h.client, h.defaults, { task: explore, cwd: await h.tempDir(), agent: 'explorer' })
  ).id;
  expect(await waitForAgent(h.client, explorer)).toMatchObject({
    status: 'completed',
    result: 'found it in src/x.ts:3',
  });
  expect(local.requests.filter((r) => r.script && explore.includes(r.script)).map((r) => r.model)).toEqual([
    'local-small',
  ]);

  const oracleTask = h.script([{ text: 'use a queue' }]);
  const oracle = (
    await spawnAgent(h.client, h.defaults, { task: oracleTask, cwd: await h.tempDir(), agent: 'oracle' })
  ).id;
  await waitForAgent(h.client, oracle);
  expect(h.requestsFor(oracleTask).map((r) => r.model)).toEqual(['claude-opus-4-5']);

  const member = localScript([{ text: 'member explored' }]);
  const swarmId = await h.swarm({ strategy: 'parallel', task: member, agents: [{ agent: 'explorer' }] });
  expect(await waitForSwarm(h.client, swarmId)).toMatchObject({
    status: 'completed',
    result: expect.stringContaining('member explored'),
    agents: [{ name: 'explorer', status: 'completed' }],
  });

  const sub = localScript([{ text: 'subagent explored' }]);
  const parent = h.script([
    { toolCalls: [{ name: 'task', input: { description: 'look around', prompt: sub, agent: 'explorer' } }] },
    { toolCalls: [{ name: 'task', input: { description: 'nobody', prompt: 'x', agent: 'nobody' } }] },
    { text: 'done' },
  ]);
  const lead = await h.spawn({ task: parent });
  await waitForAgent(h.client, lead);
  expect(await agentStatus(h.client, `${lead}.1`)).toMatchObject({
    profile: 'explorer',
    model: 'local-small',
    status: 'completed',
  });
  const results = (await agentEvents(h.client, lead)).flatMap((e) =>
    e.type === 'tool_result' ? [e.output] : [],
  );
  expect(results[0]).toContain('subagent explored');
  expect(results[1]).toContain('refused: no agent "nobody" in the registry');
});

test('a primary model overloaded (529) past its retries moves the agent to the fallback model', async () => {
  const task = h.script([
    { toolCalls: [{ name: 'list_files', input: {} }], errors: [{ status: 529 }, { status: 529 }] },
    { text: 'answered by the fallback' },
  ]);
  const id = await h.spawn({ task, tuning: { modelMaxAttempts: 2 } });
  expect(await waitForAgent(h.client, id)).toMatchObject({
    status: 'completed',
    result: 'answered by the fallback',
  });
  expect(h.requestsFor(task).map((r) => `${r.turn}:${r.model}:${r.status}`)).toEqual([
    '0:claude-scripted-test:529',
    '0:claude-scripted-test:529',
    '0:claude-fallback:200',
    '1:claude-fallback:200', // it stays on the fallback
  ]);
  const fallback = (await agentEvents(h.client, id)).find((e) => e.type === 'model_fallback');
  expect(fallback).toMatchObject({
    from: 'claude-scripted-test',
    to: 'claude-fallback',
    reason: expect.stringContaining('overloaded'),
  });
});
