import { appendFileSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { DevServer } from '../../src/temporal/dev-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __orchestraServer?: DevServer }).__orchestraServer;
  reportServerCpu(server);
  // Its database is thrown away below: nothing to shut down gracefully.
  await server?.stop('SIGKILL');
  if (process.env.ORCHESTRA_TEST_DIR)
    await rm(process.env.ORCHESTRA_TEST_DIR, { recursive: true, force: true });
}

/** The dev server's share of the run, beside the suites' (ORCHESTRA_TEST_CPU_REPORT). */
function reportServerCpu(server: DevServer | undefined): void {
  const file = process.env.ORCHESTRA_TEST_CPU_REPORT;
  if (!file || !server?.process.pid) return;
  try {
    const stat = readFileSync(`/proc/${server.process.pid}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    appendFileSync(
      file,
      `${JSON.stringify({ suite: '(dev server)', self: (f[11] + f[12]) / 100, children: 0 })}\n`,
    );
  } catch {
    // Not Linux, or the server is gone: the suites' figures stand alone.
  }
}
