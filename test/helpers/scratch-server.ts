import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { launchDevServer, type DevServer } from '../../src/temporal/dev-server';
import { freePort } from './ports';

/** A headless dev server on a free port (or `port`), its database in `dir`, answering. */
export async function startScratchServer(dir: string, port?: number): Promise<DevServer> {
  const server = await launchScratchServer(dir, port);
  await server.ready();
  return server;
}

/** The same, started but not yet answering (the run's server: jest loads its workers meanwhile). */
export async function launchScratchServer(dir: string, port?: number): Promise<DevServer> {
  const config = loadConfig();
  return launchDevServer({
    dbFile: path.join(dir, 'temporal.db'),
    port: port ?? (await freePort()),
    headless: true,
    cacheDir: path.join(config.home, 'cache'),
    temporalCli: config.temporalCli ?? process.env.ORCHESTRA_TEST_TEMPORAL_CLI,
    log: (line) => console.log(line),
  });
}
