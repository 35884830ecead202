import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { freePort } from './ports';

/**
 * The Go runtime of the run's shared server (globalSetup), which shares two cores with three
 * jest workers and what they start: one thread running Go code (GOMAXPROCS=1) and a collection
 * at 400% heap growth instead of 100% (GOGC=400). Side by side on 200 agents of six steps, the
 * server's CPU went from 4.1 to 3.5 s; over a whole run, see README (Development).
 */
export const SHARED_SERVER_GO_ENV = { GOMAXPROCS: '1', GOGC: '400' };

/** A headless dev server on a free port (or `port`), its database in `dir`. */
export async function startScratchServer(
  dir: string,
  port?: number,
  env?: NodeJS.ProcessEnv,
): Promise<DevServer> {
  const config = loadConfig();
  return startDevServer({
    dbFile: path.join(dir, 'temporal.db'),
    port: port ?? (await freePort()),
    headless: true,
    cacheDir: path.join(config.home, 'cache'),
    temporalCli: config.temporalCli ?? process.env.ORCHESTRA_TEST_TEMPORAL_CLI,
    log: (line) => console.log(line),
    ...(env ? { env } : {}),
  });
}
