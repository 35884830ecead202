/** Every bench part's setting: a fresh dev server in a temporary directory, a harness on it, and a working directory; all removed after. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness';
import { startScratchServer } from '../helpers/scratch-server';

export async function withServer<T>(
  options: Omit<HarnessOptions, 'address'>,
  fn: (h: Harness, cwd: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-bench-'));
  const server = await startScratchServer(dir);
  const h = await startHarness({ address: server.address, ...options });
  const cwd = await h.tempDir();
  try {
    return await fn(h, cwd);
  } finally {
    await h.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(cwd, { recursive: true, force: true });
  }
}
