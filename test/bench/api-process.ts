/**
 * The control API and a client of it in a process of their own, as deployed (`orchestra api`
 * beside the workers): GET /agents/:id of random agents, measured away from the worker's
 * event loop and memory. Driven by its parent over IPC: `start`, then `poll` with agent ids
 * (again to change them), then `stop`, answered with the poll's result.
 */
import { fork } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { startBenchApi } from './api-latency';
import { poll, type PollResult } from './poller';

type Command =
  { start: { address: string; taskQueue: string } } | { poll: { ids: string[] } } | { stop: true };
type Reply = { ready: true } | { result: PollResult } | { error: string };

/**
 * GETs a second, at most 10 waiting: people looking at agents. A load test at 20/s slowed the
 * 1,000-agent run it measured (each status query is a workflow task on the busy worker).
 */
export const GETS_PER_SECOND = 5;

/** The parent's side: a forked API process, ready to poll. Killed if it cannot start. */
export async function startApiProcess(address: string, taskQueue: string) {
  const child = fork(__filename);
  const replies: Reply[] = [];
  const waiters: Array<(r: Reply) => void> = [];
  const deliver = (r: Reply) => (waiters.shift() ?? ((x: Reply) => replies.push(x)))(r);
  child.on('message', deliver);
  // A child that dies answers every wait with the news, instead of leaving it hanging.
  child.once('exit', (code, signal) => {
    const error = `exited with ${signal ?? code}`;
    while (waiters.length) deliver({ error });
    replies.push({ error });
  });
  const next = () =>
    new Promise<Reply>((resolve) => (replies.length ? resolve(replies.shift()!) : waiters.push(resolve)));
  const send = (c: Command) => child.connected && child.send(c);
  const expect = async <K extends string>(key: K): Promise<Extract<Reply, Record<K, unknown>>> => {
    const r = await next();
    if ('error' in r) throw new Error(`API process: ${r.error}`);
    if (!(key in r)) throw new Error(`API process: expected ${key}, got ${JSON.stringify(r)}`);
    return r as Extract<Reply, Record<K, unknown>>;
  };
  try {
    send({ start: { address, taskQueue } });
    await expect('ready');
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    /** GET random agents of `ids`, GETS_PER_SECOND; call again to change the ids. */
    poll: (ids: string[]) => void send({ poll: { ids } }),
    async stop(): Promise<PollResult> {
      send({ stop: true });
      return (await expect('result')).result;
    },
    close: () => void child.kill(),
  };
}

/** The child's side. */
function serve(): void {
  let apiUrl = '';
  let ids: string[] = [];
  let polling: ReturnType<typeof poll> | undefined;
  let partial = 0;
  const reply = (r: Reply) => process.send!(r);
  const get = async (): Promise<boolean> => {
    const id = ids[Math.floor(Math.random() * ids.length)];
    const r = await fetch(`${apiUrl}/api/v1/agents/${id}`);
    const body = (await r.json()) as { partial?: string };
    if (r.status === 404) return false; // not started yet
    if (!r.ok) throw new Error(`GET /agents/${id}: ${r.status}`);
    if (body.partial) partial += 1;
    return true;
  };
  process.on('message', (c: Command) => {
    void (async () => {
      if ('start' in c) {
        const { address, taskQueue } = c.start;
        const client = new Client({ connection: await Connection.connect({ address }) });
        apiUrl = (await startBenchApi({ client, taskQueue, address })).url;
        reply({ ready: true });
      } else if ('poll' in c) {
        ids = c.poll.ids;
        polling ??= poll(1000 / GETS_PER_SECOND, 10, get);
      } else {
        const result = { ...(await polling!.stop()), partial };
        polling = undefined;
        partial = 0;
        reply({ result });
      }
    })().catch((err: Error) => reply({ error: err.message }));
  });
}

if (require.main === module) {
  process.on('disconnect', () => process.exit(0));
  serve();
}
