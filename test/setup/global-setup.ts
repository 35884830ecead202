/**
 * One real Temporal dev server for the whole run (several servers, or SDK runtimes torn
 * down between files, make for "Core is shut down" flakes). Suites find it through
 * ORCHESTRA_TEST_ADDRESS. It is started, not waited for: it takes ~3 s to answer, mostly idle,
 * while jest starts its workers and they load the suites; each test file waits for it before
 * its first hook (setup/server-ready.ts).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { launchScratchServer } from '../helpers/scratch-server';
import { bundleForRun } from '../helpers/workflow-bundle';

export default async function globalSetup(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-test-'));
  const [server] = await Promise.all([launchScratchServer(dir), bundleForRun(dir)]);
  process.env.ORCHESTRA_TEST_ADDRESS = server.address;
  process.env.ORCHESTRA_TEST_DIR = dir;
  process.env.ORCHESTRA_TEST_TEMPORAL_CLI = server.binary;
  (globalThis as { __orchestraServer?: typeof server }).__orchestraServer = server;
  // Said here, where its cause is known; the files' own wait fails after it.
  server.ready().catch((err: Error) => console.error(`globalSetup: ${err.message}`));
}
