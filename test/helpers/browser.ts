/**
 * Debian's Chromium, as the browser tests and the bench drive it (playwright-core, never a
 * downloaded browser): installed by scripts/install-system-tools.sh, which `npm test` runs
 * first. WebGL comes from SwiftShader (ANGLE on its Vulkan device), with no GPU.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const CHROMIUM = process.env.ORCHESTRA_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const ROOT = path.resolve(__dirname, '../..');
/** Where the browser tests leave their screenshots (git ignores it). */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts/dashboard');
/** The README's pictures: written there when ORCHESTRA_DOCS_SCREENSHOTS=1. */
export const DOCS = path.join(ROOT, 'docs');

/** Chromium and the built page are there, or the suite says what to run: it is not skipped. */
export function requireBrowser(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: run \`bash scripts/install-system-tools.sh\` (npm test does)`,
    );
  if (!existsSync(path.join(ROOT, 'dist/dashboard/index.html')))
    throw new Error('the dashboard is not built: run `npm run build` (npm test does)');
}
