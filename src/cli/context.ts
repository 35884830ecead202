/** What every CLI command needs: the configuration, Orchestra (the library's object) over one client, and output. */
import type { Client } from '@temporalio/client';
import { loadConfig, type OrchestraConfig } from '../config';
import { clientDefaults } from '../config-file';
import { Orchestra } from '../sdk/orchestra';
import { closeConnection, connectClient } from '../temporal/connection';
import { flushTraces } from '../tracing';
import type { CliIo } from './io';

export interface CliContext {
  config: OrchestraConfig;
  /** The run's environment, streams and Ctrl-C: the process's, or a caller's (io.ts). */
  io: CliIo;
  client(): Promise<Client>;
  /** The SDK every command acts through, as a library user would (src/sdk/orchestra.ts). */
  orchestra(): Promise<Orchestra>;
  out(text: string): void;
  err(text: string): void;
  close(): Promise<void>;
}

/**
 * How every command runs its action: with a context, its return value the exit code (0 when
 * none), errors printed and mapped to exit codes (program.ts).
 */
export type Run = (action: (ctx: CliContext) => Promise<number | void>) => Promise<void>;

export function createContext(io: CliIo): CliContext {
  const config = loadConfig(io.env);
  let client: Promise<Client> | undefined;
  let orchestra: Promise<Orchestra> | undefined;
  const connected = () => (client ??= connectClient(config, { env: io.env }));
  return {
    config,
    io,
    client: connected,
    orchestra: () => (orchestra ??= connected().then((c) => Orchestra.over(c, clientDefaults(config)))),
    out: (text) => io.stdout.write(`${text}\n`),
    err: (text) => io.stderr.write(`${text}\n`),
    close: async () => {
      const pending = client;
      client = undefined;
      orchestra = undefined;
      const connection = (await pending?.catch(() => undefined))?.connection;
      if (connection) await closeConnection(connection);
      await flushTraces();
    },
  };
}
