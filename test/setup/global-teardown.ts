import { rm } from 'node:fs/promises';
import type { DevServer } from '../../src/temporal/dev-server';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __orchestraServer?: DevServer }).__orchestraServer?.stop();
  if (process.env.ORCHESTRA_TEST_DIR)
    await rm(process.env.ORCHESTRA_TEST_DIR, { recursive: true, force: true });
}
