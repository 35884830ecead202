/** What every CLI command needs: the configuration, a client, and an output mode. */
import type { Client } from '@temporalio/client';
import { loadConfig, type OrchestraConfig } from '../config';
import { connectClient } from '../temporal/connection';
import { flushTraces } from '../tracing';

export interface CliContext {
  config: OrchestraConfig;
  client(): Promise<Client>;
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
  return {
    config,
    client: () => (client ??= connectClient(config)),
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    close: async () => {
      const pending = client;
      client = undefined;
      if (pending) await (await pending.catch(() => undefined))?.connection.close();
      await flushTraces();
    },
  };
}
