/**
 * Where agents may work: the file tools run in the worker, outside the bash sandbox, so a
 * working directory of `/`, `/proc/self` or `/etc`, or one swapped for a link after the start,
 * would hand them the worker's secrets.
 */
import { mkdir, mkdtemp, rename, symlink } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { agentTranscript, spawnAgent, waitForAgent } from '../src/temporal/agents';
import { startSwarm } from '../src/temporal/swarms';
import { createSession } from '../src/temporal/sessions';
import { BadRequestError } from '../src/temporal/errors';
import { useHarness } from './helpers/harness';

const h = useHarness();

async function toolResults(id: string): Promise<Array<{ content: string; is_error?: boolean }>> {
  return (await agentTranscript(h.client, id)).flatMap((m) =>
    m.content
      .filter((b) => b.type === 'tool_result')
      .map((b) => b as { content: string; is_error?: boolean }),
  );
}

test('system directories and the root cannot be working directories, for agents, swarms and sessions', async () => {
  const cases: Array<[string, RegExp]> = [
    ['/', /the root directory cannot be a working directory/],
    ['/proc/self', /is under \/proc, a system directory/],
    ['/etc', /\/etc is under \/etc, a system directory/],
    ['/dev', /under \/dev/],
    ['relative/dir', /cwd must be an absolute path/],
    ['/no/such/dir', /is not an existing directory/],
  ];
  for (const [cwd, reason] of cases) {
    await expect(spawnAgent(h.client, h.defaults, { task: 'x', cwd })).rejects.toThrow(reason);
    await expect(spawnAgent(h.client, h.defaults, { task: 'x', cwd })).rejects.toBeInstanceOf(
      BadRequestError,
    );
  }
  const spec = { strategy: 'parallel', task: 'x', merge: 'all', agents: [{}] };
  await expect(startSwarm(h.client, h.defaults, { spec, cwd: '/proc/self' })).rejects.toThrow(/under \/proc/);
  await expect(createSession(h.client, h.taskQueue, { cwd: '/' })).rejects.toThrow(/root directory/);
});

test('with ORCHESTRA_WORKSPACE_ROOTS set, only directories under them; a cwd is kept as it resolves', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'orchestra-roots-'));
  const inside = path.join(root, 'project');
  await mkdir(inside);
  const elsewhere = await h.tempDir();
  const saved = process.env.ORCHESTRA_WORKSPACE_ROOTS;
  process.env.ORCHESTRA_WORKSPACE_ROOTS = root;
  try {
    await expect(spawnAgent(h.client, h.defaults, { task: 'x', cwd: elsewhere })).rejects.toThrow(
      /is outside ORCHESTRA_WORKSPACE_ROOTS/,
    );
    // A link to the project is taken as the project itself: the agent works where it resolves.
    const link = path.join(elsewhere, 'to-project');
    await symlink(inside, link);
    const { id } = await spawnAgent(h.client, h.defaults, { task: h.script([{ text: 'ok' }]), cwd: link });
    expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed' });
    const { cwd } = (await h.client.workflow.getHandle(`agent-${id}`).query('status')) as { cwd: string };
    expect(cwd).toBe(inside);
  } finally {
    if (saved === undefined) delete process.env.ORCHESTRA_WORKSPACE_ROOTS;
    else process.env.ORCHESTRA_WORKSPACE_ROOTS = saved;
  }
});

test('a working directory swapped for a link after the start is refused by the tools', async () => {
  const outer = await h.tempDir();
  const inner = path.join(outer, 'inner');
  await mkdir(inner);
  // The first tool call waits a second for its model turn: time to swap the directory.
  const task = h.script([
    { toolCalls: [{ name: 'read_file', input: { path: 'hostname' } }], delayMs: 1500 },
    { text: 'done' },
  ]);
  const id = await h.spawn({ task, cwd: inner });
  // Another agent working in `outer` can do this with its own tools.
  await rename(inner, `${inner}.real`);
  await symlink('/etc', inner);
  await waitForAgent(h.client, id);
  const [result] = await toolResults(id);
  expect(result).toMatchObject({ is_error: true });
  expect(result.content).toMatch(/now resolves to \/etc|under \/etc, a system directory/);
  expect(result.content).not.toContain(hostname());
});
