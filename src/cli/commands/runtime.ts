/** `orchestra server`, `orchestra worker`, `orchestra model-server` and `orchestra demo`. */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { TokenTable } from '../../api/tokens';
import { payloadCodecs } from '../../codec/encryption';
import { startCodecServer } from '../../codec/server';
import { scriptFileSchema } from '../../llm/script';
import { startScriptedServer } from '../../llm/scripted-server';
import { BadRequestError } from '../../temporal/agents';
import { startDevServer } from '../../temporal/dev-server';
import { pollersOn } from '../../temporal/health';
import { temporalAuth } from '../../temporal/tls';
import { ensureNamespace, RETENTION_DAYS } from '../../temporal/namespace';
import { registerSearchAttributes } from '../../temporal/register-search-attributes';
import { runWorker } from '../../../workers/main';
import type { Run } from '../context';
import { ExitCode } from '../errors';
import { runDemo } from '../demo/demo';

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
    .action(() => run((ctx) => runWorker(ctx.config)));

  const modelServer = new Command('model-server')
    .description('run the scripted Anthropic-compatible server (a test double) from a script file')
    .requiredOption('--script <file>', 'JSON: one script or an array of scripts')
    .option('--port <port>', 'port to listen on (default: any free port)', port)
    .action((o) =>
      run(async (ctx) => {
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
        const connection = await Connection.connect({
          address: ctx.config.temporalAddress,
          ...temporalAuth(),
        });
        try {
          const { namespace } = ctx.config;
          if (await ensureNamespace(connection, namespace))
            ctx.out(`created namespace ${namespace} (${RETENTION_DAYS} days' retention)`);
          const added = await registerSearchAttributes(connection, namespace);
          ctx.out(added.length ? `registered ${added.join(', ')}` : 'search attributes already registered');
        } finally {
          await connection.close();
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
        const [codec] = payloadCodecs();
        if (!codec)
          throw new BadRequestError('set ORCHESTRA_ENCRYPTION_KEYS: there is nothing to decode without keys');
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
    .action((o) => run((ctx) => runDemo(ctx, { keep: o.keep && process.stdout.isTTY === true })));

  return [server, worker, setup, health, codecServer, modelServer, demo];
}
