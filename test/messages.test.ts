/** Messages between agents: send_message, broadcast and handoff, delivered as signals. */
import { randomUUID } from 'node:crypto';
import { agentEvents, agentTranscript, waitForAgent } from '../src/temporal/agents';
import { waitForSwarm } from '../src/temporal/swarms';
import { useHarness } from './helpers/harness';

const h = useHarness();
// Each test only touches agents and swarms of its own (their own ids): they run at the same time.
const swarmId = () => `msg-${randomUUID().slice(0, 8)}`;
/** An agent that looks around slowly twice, so messages arrive while it works. */
const listener = () =>
  h.script([
    { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 700 },
    { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 300 },
    { text: 'heard' },
  ]);
const userTexts = async (id: string) =>
  (await agentTranscript(h.client, id))
    .flatMap((m) => (m.role === 'user' ? m.content : []))
    .flatMap((b) => (b.type === 'text' ? [b.text] : []));

test.concurrent('send_message reaches the other agent at its next step, marked with the sender', async () => {
  const id = swarmId();
  const sender = h.script([
    { toolCalls: [{ name: 'send_message', input: { to: `${id}.2`, content: 'the API moved to v2' } }] },
    { text: 'told' },
  ]);
  await h.swarm(
    { strategy: 'parallel', task: 'x', agents: [{ task: sender }, { task: listener() }] },
    { id },
  );
  await waitForSwarm(h.client, id);
  expect(await userTexts(`${id}.2`)).toContain(`[query from agent ${id}.1]\nthe API moved to v2`);
  const received = (await agentEvents(h.client, `${id}.2`)).find(
    (e) => e.type === 'message' && e.role === 'user' && e.from,
  );
  expect(received).toMatchObject({ from: `${id}.1`, kind: 'query', text: 'the API moved to v2' });
  const [sent] = (await agentTranscript(h.client, `${id}.1`))[2].content;
  expect(sent).toMatchObject({ content: `sent to ${id}.2` });
});

test.concurrent('broadcast reaches every other agent of the swarm', async () => {
  const id = swarmId();
  const sender = h.script([
    { toolCalls: [{ name: 'broadcast', input: { content: 'freeze: no more writes' } }] },
    { text: 'announced' },
  ]);
  await h.swarm(
    {
      strategy: 'parallel',
      task: 'x',
      agents: [{ task: sender }, { task: listener() }, { task: listener() }],
    },
    { id },
  );
  await waitForSwarm(h.client, id);
  for (const other of [`${id}.2`, `${id}.3`])
    expect(await userTexts(other)).toContain(`[broadcast from agent ${id}.1]\nfreeze: no more writes`);
  expect(await userTexts(`${id}.1`)).not.toContain(`[broadcast from agent ${id}.1]\nfreeze: no more writes`);
});

test.concurrent('handoff passes the task and a note on, and ends the sender', async () => {
  const id = swarmId();
  const sender = h.script([
    { toolCalls: [{ name: 'handoff', input: { to: `${id}.2`, note: 'tests written, docs left' } }] },
  ]);
  await h.swarm(
    { strategy: 'parallel', task: 'x', agents: [{ task: sender }, { task: listener() }] },
    { id },
  );
  const out = await waitForSwarm(h.client, id);
  expect(out.agents[0]).toMatchObject({
    status: 'completed',
    result: `handed off to ${id}.2: tests written, docs left`,
  });
  const texts = await userTexts(`${id}.2`);
  expect(texts.find((t) => t.startsWith(`[handoff from agent ${id}.1]`))).toMatch(
    /hands its task over to you.\n\nThe task:\n.*\n\nTheir note:\ntests written, docs left$/s,
  );
});

test.concurrent('a message to nobody, and a broadcast outside a swarm, are tool errors', async () => {
  const task = h.script([
    {
      toolCalls: [
        { name: 'send_message', input: { to: 'no-such-agent', content: 'hello?' } },
        { name: 'broadcast', input: { content: 'all?' } },
      ],
    },
    { text: 'nobody there' },
  ]);
  const id = await h.spawn({ task });
  expect((await waitForAgent(h.client, id)).status).toBe('completed');
  expect((await agentTranscript(h.client, id))[2].content).toEqual([
    expect.objectContaining({ is_error: true, content: 'no running agent "no-such-agent" to send to' }),
    expect.objectContaining({
      is_error: true,
      content: 'refused: broadcast reaches the agents of a swarm, and you are in none',
    }),
  ]);
});
