/**
 * `npm run bench`, part "api": the control API's latency, side by side with the same work
 * done by a Temporal client directly. GET /api/v1/agents/:id (describe + status query behind
 * it) and pause-to-paused (POST pause, then GET until the status says paused).
 */
import type { ApiServer } from '../../src/api/server';
import { agentWorkflowId } from '../../src/domain';
import { agentStatus, controlAgent } from '../../src/temporal/agents';
import { startLocalApi } from '../helpers/api';
import { waitForStatus, type Harness } from '../helpers/harness';
import { addRow, ms as fmt, quantile, settings, timed, times } from './report';
import { withServer } from './server';

const GETS = settings.quick ? 60 : 300;
const PAUSES = settings.quick ? 10 : 40;

/** The control API in process, on loopback, over the harness's (or any) client and queue. */
export function startBenchApi(h: Pick<Harness, 'client' | 'taskQueue' | 'address'>): Promise<ApiServer> {
  return startLocalApi(h);
}

export async function apiLatency(): Promise<void> {
  await withServer({}, async (h, cwd) => {
    const api = await startBenchApi(h);
    const base = `${api.url}/api/v1`;
    const http = async (method: string, p: string, body?: unknown) => {
      const r = await fetch(`${base}${p}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await r.json()) as { status?: string };
      if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(json)}`);
      return json;
    };
    try {
      // One model call that takes minutes: the agent stays running, its loop idle, however long this takes.
      const started = (await http('POST', '/agents', {
        task: h.busyTask(600_000),
        cwd,
      })) as { id?: string };
      const agent = String(started.id);
      await waitForStatus(h.client, agent, (v) => v.status === 'running');
      const handle = h.client.workflow.getHandle(agentWorkflowId(agent));

      const viaApi: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < GETS; i++) {
        viaApi.push(await timed(() => http('GET', `/agents/${agent}`)));
        direct.push(await timed(() => Promise.all([handle.describe(), agentStatus(h.client, agent)])));
      }

      // Pause, then look until paused; resume, then look until running again (not timed).
      const untilStatus = async (look: () => Promise<string | undefined>, want: string) => {
        for (let seen = await look(); seen !== want; seen = await look()) {
          if (seen !== 'running' && seen !== 'paused')
            throw new Error(`the agent is ${seen}: ${JSON.stringify(await http('GET', `/agents/${agent}`))}`);
        }
      };
      const apiPause: number[] = [];
      const directPause: number[] = [];
      const viaHttp = async () => (await http('GET', `/agents/${agent}`)).status;
      const viaClient = async () => (await agentStatus(h.client, agent)).status;
      for (let i = 0; i < PAUSES; i++) {
        apiPause.push(
          await timed(async () => {
            await http('POST', `/agents/${agent}/pause`, {});
            await untilStatus(viaHttp, 'paused');
          }),
        );
        await http('POST', `/agents/${agent}/resume`, {});
        await untilStatus(viaHttp, 'running');
        directPause.push(
          await timed(async () => {
            await controlAgent(h.client, agent, 'pause', {});
            await untilStatus(viaClient, 'paused');
          }),
        );
        await controlAgent(h.client, agent, 'resume', {});
        await untilStatus(viaClient, 'running');
      }
      const { iterations } = await agentStatus(h.client, agent);
      await http('DELETE', `/agents/${agent}`);

      console.log(
        `\ncontrol API latency on loopback, one client at a time (${GETS} GETs, ${PAUSES} pauses each way;` +
          ` the agent made ${iterations} model calls meanwhile)`,
      );
      console.log('what | via the API p50 / p99 | Temporal client directly p50 / p99 | ratio p50 / p99');
      const row = (what: string, a: number[], d: number[]) =>
        console.log(
          `${what} | ${fmt(quantile(a, 0.5))} / ${fmt(quantile(a, 0.99))} | ${fmt(quantile(d, 0.5))} / ${fmt(quantile(d, 0.99))} |` +
            ` ${(quantile(a, 0.5) / quantile(d, 0.5)).toFixed(2)}x / ${(quantile(a, 0.99) / quantile(d, 0.99)).toFixed(2)}x`,
        );
      row('GET /agents/:id (describe + status query)', viaApi, direct);
      row('pause-to-paused (control, then look until paused)', apiPause, directPause);
      const tableRow = (what: string, a: number[], d: number[]) =>
        addRow({
          figure: `${what}, one client at a time, p50 / p99`,
          baseline: `Temporal client ${fmt(quantile(d, 0.5))} / ${fmt(quantile(d, 0.99))}`,
          orchestra: `${fmt(quantile(a, 0.5))} / ${fmt(quantile(a, 0.99))}`,
          ratio: `${times(quantile(a, 0.5) / quantile(d, 0.5))} / ${times(quantile(a, 0.99) / quantile(d, 0.99))}`,
          target: '—',
        });
      tableRow('control API GET /agents/:id', viaApi, direct);
      tableRow('control API pause-to-paused', apiPause, directPause);
    } finally {
      await api.close();
    }
  });
}
