/** `orchestra api`: the Express control API. */
import { Command } from 'commander';
import type { Run } from '../context';
import { port, untilSignal } from './runtime';

export function apiCommand(run: Run): Command {
  return new Command('api')
    .description(
      'run the control API (bind: $ORCHESTRA_API_HOST, port: $ORCHESTRA_API_PORT, tokens: $ORCHESTRA_API_TOKENS_FILE)',
    )
    .option('--port <port>', 'port to listen on (default: $ORCHESTRA_API_PORT or 8787)', (v) =>
      v === '0' ? 0 : port(v),
    )
    .option('--host <address>', 'address to bind (default: $ORCHESTRA_API_HOST or 127.0.0.1)')
    .action((o: { port?: number; host?: string }) =>
      run(async (ctx) => {
        // Express, the routes and the logger load here: no other command needs them.
        const { startApi } = await import('../../api/server');
        const { createLogger } = await import('../../logging');
        const config = {
          ...ctx.config,
          api: {
            ...ctx.config.api,
            port: o.port ?? ctx.config.api.port,
            host: o.host ?? ctx.config.api.host,
          },
        };
        const api = await startApi({
          client: await ctx.client(),
          config,
          log: createLogger().child({ component: 'api' }),
        });
        ctx.out(
          `Orchestra API at ${api.url}/api/v1 (OpenAPI: ${api.url}/api/v1/openapi.json), dashboard at ${api.url}/; Ctrl-C stops it`,
        );
        await untilSignal();
        await api.close();
      }),
    );
}
