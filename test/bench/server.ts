/** Every bench part's setting: a fresh dev server in a temporary directory, a harness on it, and a working directory; all removed after. */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { DevServer } from '../../src/temporal/dev-server';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness';
import { startScratchServer } from '../helpers/scratch-server';

/** Clock ticks per second of /proc's CPU times: 100 on every Linux Node runs on. */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) process `pid` has spent so far, from /proc/<pid>/stat (Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export async function withServer<T>(
  options: Omit<HarnessOptions, 'address'>,
  fn: (h: Harness, cwd: string, server: DevServer) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-bench-'));
  const server = await startScratchServer(dir);
  const h = await startHarness({ address: server.address, ...options });
  const cwd = await h.tempDir();
  try {
    return await fn(h, cwd, server);
  } finally {
    await h.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(cwd, { recursive: true, force: true });
  }
}
