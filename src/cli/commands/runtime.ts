/**
 * `orchestra server`, `orchestra worker`, `orchestra model-server` and `orchestra demo`.
 *
 * Each action loads what it runs (the worker, the SDK's native bridge, the model client,
 * Express) when it runs: every other command, `--version` and `agent list` included, starts
 * without them (test/cli-startup.test.ts holds that line).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { BadRequestError } from '../../temporal/agents';
import { closeConnection } from '../../temporal/connection';
import type { Run } from '../context';
import { ExitCode } from '../errors';

export const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a port number');
  return n;
};

export const untilSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

export function runtimeCommands(run: Run): Command[] {
  const server = new Command('server')
    .description('run the Temporal dev server (SQLite-persisted, Web UI, search attributes registered)')
    .option('--port <port>', 'gRPC port (default: the port of $TEMPORAL_ADDRESS)', port)
    .option('--ui-port <port>', 'Web UI port (default: $ORCHESTRA_UI_PORT or 8233)', port)
    .option('--db <file>', 'SQLite database file (default: .orchestra/temporal.db)')
    .option('--headless', 'no Web UI')
    .action((o) =>
      run(async (ctx) => {
        const { config } = ctx;
        const { startDevServer } = await import('../../temporal/dev-server');
        const dev = await startDevServer({
          dbFile: path.resolve(o.db ?? path.join(config.home, 'temporal.db')),
          port: o.port ?? Number(config.temporalAddress.split(':')[1] ?? 7233),
          uiPort: o.uiPort ?? config.uiPort,
          headless: o.headless,
          cacheDir: path.join(config.home, 'cache'),
          temporalCli: config.temporalCli,
          log: ctx.out,
          output: 'inherit',
        });
        ctx.out(
          `Temporal dev server at ${dev.address}${dev.uiPort ? `, Web UI http://localhost:${dev.uiPort}` : ''}; Ctrl-C stops it`,
        );
        await Promise.race([untilSignal(), new Promise((resolve) => dev.process.once('exit', resolve))]);
        await dev.stop();
      }),
    );

  const worker = new Command('worker')
    .description('run a worker on $ORCHESTRA_TASK_QUEUE (model: $ANTHROPIC_API_KEY, $ANTHROPIC_BASE_URL)')
    .action(() =>
      run(async (ctx) => {
        const { runWorker } = await import('../../../workers/main');
        return runWorker(ctx.config);
      }),
    );

  const modelServer = new Command('model-server')
    .description('run the scripted Anthropic-compatible server (a test double) from a script file')
    .requiredOption('--script <file>', 'JSON: one script or an array of scripts')
    .option('--port <port>', 'port to listen on (default: any free port)', port)
    .action((o) =>
      run(async (ctx) => {
        const { scriptFileSchema } = await import('../../llm/script');
        const { startScriptedServer } = await import('../../llm/scripted-server');
        const parsed = scriptFileSchema.safeParse(JSON.parse(await readFile(o.script, 'utf8')));
        if (!parsed.success)
          throw new BadRequestError(`bad script file ${o.script}: ${z.prettifyError(parsed.error)}`);
        const scripts = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
        const model = await startScriptedServer({ scripts, port: o.port });
        ctx.out(
          `scripted model server at ${model.url}; set ANTHROPIC_BASE_URL=${model.url} (any ANTHROPIC_API_KEY)`,
        );
        await untilSignal();
        await model.stop();
      }),
    );

  const setup = new Command('setup')
    .description(
      "create $TEMPORAL_NAMESPACE if missing and register Orchestra's search attributes on the server at $TEMPORAL_ADDRESS (idempotent)",
    )
    .action(() =>
      run(async (ctx) => {
        const { Connection } = await import('@temporalio/client');
        const { temporalAuth } = await import('../../temporal/tls');
        const { ensureNamespace, RETENTION_DAYS } = await import('../../temporal/namespace');
        const { registerSearchAttributes } = await import('../../temporal/register-search-attributes');
        const connection = await Connection.connect({
          address: ctx.config.temporalAddress,
          ...temporalAuth(ctx.io.env),
        });
        try {
          const { namespace } = ctx.config;
          if (await ensureNamespace(connection, namespace))
            ctx.out(`created namespace ${namespace} (${RETENTION_DAYS} days' retention)`);
          const added = await registerSearchAttributes(connection, namespace);
          ctx.out(added.length ? `registered ${added.join(', ')}` : 'search attributes already registered');
        } finally {
          await closeConnection(connection);
        }
      }),
    );

  const health = new Command('health')
    .description(
      'exit 0 when the server at $TEMPORAL_ADDRESS answers and, with --worker, a worker on this host polls $ORCHESTRA_TASK_QUEUE (container health checks)',
    )
    .option('--worker', 'also require a worker of this host polling the task queue')
    .action((o) =>
      run(async (ctx) => {
        const client = await ctx.client();
        await client.workflowService.getSystemInfo({});
        if (!o.worker) return void ctx.out(`server at ${ctx.config.temporalAddress} answers`);
        const { pollersOn } = await import('../../temporal/health');
        const pollers = await pollersOn(client, ctx.config.taskQueue);
        if (pollers.length === 0) {
          ctx.out(`no worker of this host polls ${ctx.config.taskQueue}`);
          return ExitCode.failure;
        }
        const seen = pollers.map((p) => `${p.identity} (${Math.round(p.agoMs / 1000)} s ago)`);
        ctx.out(`polling ${ctx.config.taskQueue}: ${seen.join(', ')}`);
      }),
    );

  const codecServer = new Command('codec-server')
    .description(
      'decode (and encode) payloads sealed with $ORCHESTRA_ENCRYPTION_KEYS for the Temporal Web UI; API tokens guard it',
    )
    .option('--port <port>', 'port to listen on', port, 8888)
    .option('--host <host>', 'address to listen on (beyond loopback only with API tokens)', '127.0.0.1')
    .option('--origin <url...>', "the Web UI's origin, allowed to call it from a browser", [
      'http://localhost:8233',
    ])
    .action((o) =>
      run(async (ctx) => {
        const { payloadCodecs } = await import('../../codec/encryption');
        const [codec] = payloadCodecs();
        if (!codec)
          throw new BadRequestError('set ORCHESTRA_ENCRYPTION_KEYS: there is nothing to decode without keys');
        const { TokenTable } = await import('../../api/tokens');
        const { startCodecServer } = await import('../../codec/server');
        const server = await startCodecServer({
          codec,
          tokens: TokenTable.load(ctx.config.api),
          origins: o.origin,
          host: o.host,
          port: o.port,
        });
        ctx.out(`codec server at ${server.url}; in the Web UI, set it as the codec endpoint`);
        await untilSignal();
        await server.close();
      }),
    );

  const demo = new Command('demo')
    .description(
      'run a small coding task end to end (offline with the scripted model; live with ANTHROPIC_API_KEY)',
    )
    .option('--no-keep', 'stop the dev server when the demo ends, even on a terminal')
    .action((o) =>
      run(async (ctx) => {
        const { runDemo } = await import('../demo/demo');
        return runDemo(ctx, { keep: o.keep && ctx.io.stdout.isTTY === true });
      }),
    );

  return [server, worker, setup, health, codecServer, modelServer, demo];
}
