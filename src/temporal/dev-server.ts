/**
 * The embedded dev server: `temporal server start-dev` with SQLite persistence in a
 * project-local file, the Web UI, and Orchestra's search attributes registered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { isServerUp } from './connection';
import { findOrInstallTemporalCli } from './cli-binary';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';

export interface DevServerOptions {
  /** SQLite file; the same file on restart keeps every workflow. */
  dbFile: string;
  port?: number;
  uiPort?: number;
  /** No Web UI (tests). */
  headless?: boolean;
  namespace?: string;
  cacheDir: string;
  temporalCli?: string;
  log?: (line: string) => void;
  /** Where the server's own output goes (default: discarded). */
  output?: 'inherit' | 'ignore';
}

export interface DevServer {
  address: string;
  /** The `temporal` CLI that runs it. */
  binary: string;
  uiPort?: number;
  process: ChildProcess;
  /** Resolves once it answers health checks; rejects if it exits first or takes over 60 s (then stopped). */
  ready(): Promise<void>;
  /**
   * Stop it and wait for it to exit: SIGTERM (a graceful stop, ~1 s; SIGKILL after 10 s), or
   * SIGKILL at once for a server whose database is thrown away.
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

export const SQLITE_PRAGMAS = ['journal_mode=WAL', 'synchronous=NORMAL'];

/** The server settings Orchestra relies on; deploy/temporal/dynamicconfig.yaml has the same for a production server. */
export const DYNAMIC_CONFIG = [
  // An activity on the workflow's own queue comes back with the workflow task's completion.
  'system.enableActivityEagerExecution=true',
  // Queries of an agent in a run of local steps wait for its workflow task. The server holds
  // one by default and refuses the rest (RESOURCE_EXHAUSTED), which clients retry after long
  // backoffs: a status look and a live stream at once would wait seconds.
  'history.MaxBufferedQueryCount=50',
  // The dev server defaults this to true (a new search attribute is usable at once): then it
  // reads the attributes' definitions from its database for every row a list returns and every
  // start it checks, a tenth of its CPU under Orchestra's lists (README, Development). Off, as
  // in production: definitions added at run time reach every service within its namespace
  // cache's refresh (2 s), which registerSearchAttributes waits out.
  'system.forceSearchAttributesCacheRefreshOnRead=false',
];

const TYPE_NAMES = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
} as const;

/** Start the dev server and wait until it answers. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const server = await launchDevServer(options);
  await server.ready();
  return server;
}

/**
 * Start the dev server without waiting for it to answer (~3 s, most of it idle): the test run
 * loads its workers meanwhile, and waits through `ready()` or polls the address itself.
 */
export async function launchDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = options.port ?? 7233;
  const address = `127.0.0.1:${port}`;
  if (await isServerUp(address)) throw new Error(`a Temporal server already answers at ${address}`);
  const binary = await findOrInstallTemporalCli({
    explicit: options.temporalCli,
    cacheDir: options.cacheDir,
    log: options.log,
  });
  await mkdir(path.dirname(options.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    options.dbFile,
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    options.namespace ?? 'default',
    '--log-level',
    'warn',
    // WAL: appends instead of rewriting pages, and readers stop blocking the writer; a
    // fan-out of agents runs about 3x faster. NORMAL syncs at checkpoints, which survives a
    // killed server process (only a power cut could lose the last transactions).
    ...SQLITE_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]),
    ...DYNAMIC_CONFIG.flatMap((value) => ['--dynamic-config-value', value]),
    ...SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${TYPE_NAMES[key.type]}`]),
    ...(options.headless ? ['--headless'] : ['--ui-port', String(options.uiPort ?? 8233)]),
  ];
  const child = spawn(binary, args, {
    stdio: ['ignore', options.output ?? 'ignore', options.output ?? 'ignore'],
  });
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(timer);
  };
  const ready = async (): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (!(await isServerUp(address))) {
      if (exited)
        throw new Error(
          `the Temporal dev server ${exited} before it was ready (${binary} ${args.join(' ')})`,
        );
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the Temporal dev server did not become ready at ${address} within 60s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  return {
    address,
    binary,
    uiPort: options.headless ? undefined : (options.uiPort ?? 8233),
    process: child,
    ready,
    stop,
  };
}
