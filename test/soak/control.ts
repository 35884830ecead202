/**
 * Scenario 3, control latency: pause, resume and cancel of running agents through controlAgent,
 * the Updates the CLI and the API send, while the other agents keep running. pause-to-paused is
 * the Update's round trip when its answer says `after: paused` (checked again by a status
 * query); cancel-to-cancelled runs from the cancel request until a status query says cancelled.
 */
import { agentStatus, controlAgent } from '../../src/temporal/agents';
import { waitForStatus } from '../helpers/harness';
import { until } from '../helpers/poll';
import { addRow, claim, p50p99, quick, sleep } from './report';
import { BUSY_LIMITS, withSetting } from './server';

const SCENARIO = 'control latency';
const AGENTS = quick ? 8 : 20;
const ROUNDS = quick ? 2 : 3;
/** Controllers at work at once, each on its own agents in turn. */
const LANES = 4;
const REST_MS = 1_000;

export async function controlLatency(): Promise<void> {
  await withSetting({}, async ({ h }) => {
    const ids = await Promise.all(
      Array.from({ length: AGENTS }, () => h.spawn({ task: h.busyTask(200), limits: BUSY_LIMITS })),
    );
    for (const id of ids) await waitForStatus(h.client, id, (v) => v.status === 'running', 60_000);

    const pauses: number[] = [];
    const resumes: number[] = [];
    const restedResumes: number[] = [];
    const cancelRtts: number[] = [];
    const cancels: number[] = [];
    const wrong: string[] = [];
    const drive = async (id: string) => {
      for (let round = 0; round < ROUNDS; round++) {
        let t = performance.now();
        const paused = await controlAgent(h.client, id, 'pause', { reason: 'soak' });
        pauses.push(performance.now() - t);
        if (paused.after !== 'paused') wrong.push(`pause answered ${JSON.stringify(paused)}`);
        else if ((await agentStatus(h.client, id)).status !== 'paused')
          wrong.push(`${id} not paused after pause`);
        // The last round lets the agent come to rest at its step boundary first.
        const atRest = round === ROUNDS - 1;
        if (atRest) await sleep(REST_MS);
        t = performance.now();
        const resumed = await controlAgent(h.client, id, 'resume');
        (atRest ? restedResumes : resumes).push(performance.now() - t);
        if (resumed.after !== 'running') wrong.push(`resume answered ${JSON.stringify(resumed)}`);
      }
      const t = performance.now();
      const answer = await controlAgent(h.client, id, 'cancel', { reason: 'soak' });
      cancelRtts.push(performance.now() - t);
      if (answer.queued) wrong.push(`cancel of ${id} queued, not taken`);
      await until(
        () => agentStatus(h.client, id),
        (v) => v.status === 'cancelled',
        `${id} cancelled`,
        30_000,
        10,
      )
        .then(() => cancels.push(performance.now() - t))
        .catch((err: Error) => wrong.push(err.message));
    };
    const lane = async (mine: string[]) => {
      for (const id of mine)
        await drive(id).catch(async (err: Error) => {
          const view = await agentStatus(h.client, id).catch(() => undefined);
          wrong.push(`${id}: ${err.message}${view?.error ? ` (${view.error})` : ''}`);
        });
    };
    await Promise.all(Array.from({ length: LANES }, (_, i) => lane(ids.filter((_, n) => n % LANES === i))));
    claim(
      SCENARIO,
      `control requests answered truthfully (${LANES} controllers at once)`,
      wrong.length === 0,
      wrong.length
        ? wrong.slice(0, 3).join('; ')
        : `${pauses.length + resumes.length + restedResumes.length + cancelRtts.length} requests on ${AGENTS} running agents`,
    );
    addRow(SCENARIO, 'pause → paused (Update round trip)', p50p99(pauses), 'measured');
    addRow(
      SCENARIO,
      'resume → running, right after the pause (Update round trip)',
      p50p99(resumes),
      'measured',
    );
    addRow(
      SCENARIO,
      `resume → running, paused ${REST_MS} ms (Update round trip)`,
      p50p99(restedResumes),
      'measured',
    );
    addRow(SCENARIO, 'cancel Update round trip', p50p99(cancelRtts), 'measured');
    addRow(SCENARIO, 'cancel → cancelled (status query)', p50p99(cancels), 'measured');
  });
}
