/**
 * Watching an agent from a terminal: what is in flight between its events (the model's text as
 * it is written, read from the call's heartbeats; a tool and how long it has run), the line that
 * shows it, and Ctrl-C that stops the watching and leaves the agent running.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { liveText } from '../src/cli/live-line';
import { agentStatus, controlAgent } from '../src/temporal/agents';
import { inFlight, type InFlight } from '../src/temporal/in-flight';
import { until } from './helpers/poll';
import { CLI } from './helpers/cli';
import { useHarness, waitForStatus } from './helpers/harness';

const h = useHarness();

const TEXT = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');

// The tests touch only agents of their own: they run at the same time.
test.concurrent(
  'a model call in flight shows the text written so far; a tool shows its name and time',
  async () => {
    const cwd = await h.tempDir();
    const written = `cli-live-${randomUUID()}`;
    const task = h.script([
      // Text held halfway until the test has seen it, then a tool call in the same reply that runs
      // until the test has seen it (it waits for a file the test writes; 30 s at most).
      {
        text: TEXT,
        textGate: written,
        toolCalls: [
          {
            name: 'bash',
            input: { command: 'for i in $(seq 600); do [ -e seen ] && exit 0; sleep 0.05; done; exit 1' },
          },
        ],
      },
      { text: 'done' },
    ]);
    // Model calls on the queue from the first (no local fast path), so they heartbeat their text.
    const id = await h.spawn({ task, cwd, tuning: { localModelCallMs: 0 } });
    const writing = await until(
      () => inFlight(h.client, id),
      (w) => w?.activity === 'callModel' && (w.progress?.chars ?? 0) > 0 && w.progress!.chars < TEXT.length,
      'the model call with part of its text',
    );
    expect(TEXT.startsWith(writing!.progress!.text)).toBe(true);
    expect(writing!.startedAt!.getTime()).toBeLessThanOrEqual(Date.now());
    h.model.openGate(written);
    const tool = await until(
      () => inFlight(h.client, id),
      (w) => w?.activity === 'bash',
      'the bash call in flight',
    );
    expect(tool).toMatchObject({ activity: 'bash', attempt: 1 });
    await writeFile(path.join(cwd, 'seen'), '');
    await waitForStatus(h.client, id, (v) => v.status === 'completed');
    expect(await inFlight(h.client, id)).toBeUndefined();
  },
);

test.concurrent(
  'the live line: spinner, what runs and for how long, and the newest of the text within the width',
  () => {
    const now = Date.parse('2026-11-26T12:00:10Z');
    const model: InFlight = {
      activity: 'callModel',
      startedAt: new Date('2026-11-26T12:00:07Z'),
      attempt: 1,
      progress: { received: 5, chars: TEXT.length, text: TEXT },
    };
    expect(liveText({ ...model, progress: undefined }, now, 0, 80)).toBe('⠋ model 3.0s');
    const line = liveText(model, now, 1, 60);
    expect(line.length).toBeLessThanOrEqual(60);
    expect(line).toMatch(/^⠙ model 3\.0s · …/);
    expect(line.endsWith('word38 word39')).toBe(true);
    expect(liveText({ activity: 'bash', startedAt: new Date(now - 1500), attempt: 2 }, now, 2, 80)).toBe(
      '⠹ bash (attempt 2) 1.5s',
    );
  },
);

test.concurrent(
  'Ctrl-C on `agent spawn --wait` stops the watching, says how to come back, and the agent goes on',
  async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'agent', 'spawn', h.busyTask(200), '--wait', '--cwd', await h.tempDir()],
      {
        env: { ...process.env, TEMPORAL_ADDRESS: h.address, ORCHESTRA_TASK_QUEUE: h.taskQueue },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const id = (await until(
      async () => /agent (\S+) · /.exec(stdout)?.[1],
      (found) => found !== undefined,
      'the spawned agent id',
    ))!;
    await waitForStatus(h.client, id, (v) => v.status === 'running');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(
      `stopped watching; agent ${id} goes on. Watch it again: orchestra agent logs ${id} --follow`,
    );
    expect((await agentStatus(h.client, id)).status).toBe('running');
    await controlAgent(h.client, id, 'cancel');
  },
);
