/** What every CLI command needs: the configuration, Orchestra (the library's object) over one client, and output. */
import type { Client } from '@temporalio/client';
import { loadConfig, type OrchestraConfig } from '../config';
import { clientDefaults } from '../config-file';
import { Orchestra } from '../sdk/orchestra';
import { connectClient } from '../temporal/connection';
import { flushTraces } from '../tracing';

export interface CliContext {
  config: OrchestraConfig;
  client(): Promise<Client>;
  /** The SDK every command acts through, as a library user would (src/sdk/orchestra.ts). */
  orchestra(): Promise<Orchestra>;
  out(text: string): void;
  err(text: string): void;
  close(): Promise<void>;
}

/**
 * How every command runs its action: with a context, its return value the exit code (0 when
 * none), errors printed and mapped to exit codes (main.ts).
 */
export type Run = (action: (ctx: CliContext) => Promise<number | void>) => Promise<void>;

export function createContext(): CliContext {
  const config = loadConfig();
  let client: Promise<Client> | undefined;
  let orchestra: Promise<Orchestra> | undefined;
  const connected = () => (client ??= connectClient(config));
  return {
    config,
    client: connected,
    orchestra: () => (orchestra ??= connected().then((c) => Orchestra.over(c, clientDefaults(config)))),
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    close: async () => {
      const pending = client;
      client = undefined;
      orchestra = undefined;
      if (pending) await (await pending.catch(() => undefined))?.connection.close();
      await flushTraces();
    },
  };
}
