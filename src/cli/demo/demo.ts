/**
 * `orchestra demo`: everything the demo needs, started here. Offline (no
 * ANTHROPIC_API_KEY) it uses the scripted model server; with a key, Claude itself.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { cliDefaults, webUiLink, type OrchestraConfig } from '../../config';
import { activityDeps } from '../../config-file';
import { createLogger, installRuntimeLogging } from '../../logging';
import { startScriptedServer, type ScriptedServer } from '../../llm/scripted-server';
import { closeConnection, isServerUp } from '../../temporal/connection';
import { startDevServer, type DevServer } from '../../temporal/dev-server';
import { registerSearchAttributes } from '../../temporal/register-search-attributes';
import { createOrchestraWorker } from '../../../workers/worker';
import type { CliContext } from '../context';
import { followAgent } from '../follow';
import { formatEvent, formatResult } from '../format';
import { DEMO_SCRIPT, DEMO_TASK } from './script';
import { DEMO_SWARM_SCRIPTS, DEMO_SWARM_TASK } from './swarm-script';
import { liveRenderer, swarmSummary } from '../swarm-view';
import { Orchestra } from '../../sdk/orchestra';
import { startApi, type ApiServer } from '../../api/server';
import type { Client } from '@temporalio/client';
import { isTerminal } from '../../domain';

export interface DemoOptions {
  /** Keep the server (and its Web UI) up after the demo until Ctrl-C. */
  keep: boolean;
}

export async function runDemo(ctx: CliContext, options: DemoOptions): Promise<number> {
  const { config } = ctx;
  installRuntimeLogging('warn');
  let server: DevServer | undefined;
  let model: ScriptedServer | undefined;
  if (!(await isServerUp(config.temporalAddress))) {
    ctx.out(`starting a Temporal dev server (${path.join(config.home, 'temporal.db')})…`);
    server = await startDevServer({
      dbFile: path.join(config.home, 'temporal.db'),
      port: Number(config.temporalAddress.split(':')[1] ?? 7233),
      uiPort: config.uiPort,
      cacheDir: path.join(config.home, 'cache'),
      temporalCli: config.temporalCli,
      log: ctx.out,
    });
  }
  if (!server) {
    // Someone else's server: make sure it knows Orchestra's search attributes.
    const admin = await Connection.connect({ address: config.temporalAddress });
    await registerSearchAttributes(admin, config.namespace).finally(() => closeConnection(admin));
  }
  const live = Boolean(config.anthropicApiKey);
  if (!live) model = await startScriptedServer({ scripts: [DEMO_SCRIPT, ...DEMO_SWARM_SCRIPTS] });
  ctx.out(
    live
      ? `model: ${config.model} (Claude, live)`
      : 'model: the scripted model server (a test double replaying a fixed conversation; set ANTHROPIC_API_KEY for Claude)',
  );
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  // A queue of the demo's own, so no other worker (with another model endpoint) takes its tasks.
  const taskQueue = `orchestra-demo-${randomUUID().slice(0, 8)}`;
  const worker = await createOrchestraWorker({
    connection,
    namespace: config.namespace,
    taskQueue,
    deps: live
      ? activityDeps(config, {})
      : { ...activityDeps(config, {}), endpoint: { apiKey: 'scripted-demo', baseURL: model!.url } },
  });
  const running = worker.run();
  let api: ApiServer | undefined;
  try {
    const client = await ctx.client();
    const orchestra = Orchestra.over(client, { ...cliDefaults(config), taskQueue });
    // The dashboard, on the demo's queue: what it starts runs on the demo's worker.
    api = await startDemoApi(client, { ...config, taskQueue });
    const cwd = await mkdtemp(path.join(tmpdir(), 'orchestra-demo-'));
    const { id, workflowId } = await orchestra.agents.spawn({ task: DEMO_TASK, cwd, name: 'demo' });
    // Both addresses before the agent's first step: either page shows it live.
    ctx.out(`workspace: ${cwd}\nagent ${id} · ${webUiLink(config, workflowId)} · dashboard ${api.url}/\n`);
    await followAgent(orchestra, id, { onEvent: (e) => ctx.out(formatEvent(e)) });
    const result = await orchestra.agents.wait(id);
    const view = await orchestra.agents.status(id);
    ctx.out(
      `\n${formatResult(result)}\ntodos:   ${view.todos.map((t) => `[${t.status === 'completed' ? 'x' : ' '}] ${t.content}`).join('  ')}`,
    );
    ctx.out(`Web UI:  ${webUiLink(config, workflowId)}`);
    ctx.out(`Dashboard: ${api.url}/`);

    ctx.out('\n— a swarm: a supervisor splits a task across workers, then a reviewer checks the merge —\n');
    const swarmCwd = await mkdtemp(path.join(tmpdir(), 'orchestra-demo-swarm-'));
    const swarm = await orchestra.swarms.start({
      spec: { strategy: 'supervisor', task: DEMO_SWARM_TASK, maxConcurrent: 2 },
      cwd: swarmCwd,
    });
    ctx.out(`workspace: ${swarmCwd}\nswarm ${swarm.id} · ${webUiLink(config, swarm.workflowId)}`);
    // Printed as it changes, never redrawn in place (no isTTY).
    const render = liveRenderer({ write: (text) => ctx.io.stdout.write(text) });
    let outcome = await orchestra.swarms.status(swarm.id);
    while (!isTerminal(outcome.status)) {
      render(outcome);
      await new Promise((r) => setTimeout(r, 300));
      outcome = await orchestra.swarms.status(swarm.id);
    }
    outcome = await orchestra.swarms.wait(swarm.id);
    render(outcome);
    ctx.out(
      `\n${swarmSummary(outcome)}\ntotals:  ${outcome.agents[0]?.usage.agents ?? 0} agents · ${outcome.stats.toolCalls} tool calls · ${outcome.stats.tokens.input}/${outcome.stats.tokens.output} tokens`,
    );
    ctx.out(`Web UI:  ${webUiLink(config, swarm.workflowId)}`);
    ctx.out(`Dashboard: ${api.url}/`);
    if (options.keep && server) {
      ctx.out(`\nThe dev server, its Web UI and the dashboard (${api.url}/) stay up; press Ctrl-C to stop.`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return result.status === 'completed' && outcome.status === 'completed' ? 0 : 1;
  } finally {
    await api?.close();
    worker.shutdown();
    await running;
    await connection.close();
    await ctx.close();
    await model?.stop();
    await server?.stop();
  }
}

/** The control API with its dashboard: on its usual port, or on any free one when that is taken. */
async function startDemoApi(client: Client, config: OrchestraConfig): Promise<ApiServer> {
  const log = createLogger('warn').child({ component: 'api' });
  try {
    return await startApi({ client, config, log });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return startApi({ client, config: { ...config, api: { ...config.api, port: 0 } }, log });
  }
}
