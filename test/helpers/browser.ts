/**
 * Debian's Chromium, as the browser tests and the bench drive it (playwright-core, never a
 * downloaded browser): installed by scripts/install-system-tools.sh, which `npm test` runs
 * first. WebGL comes from SwiftShader (ANGLE on its Vulkan device), with no GPU.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { logPage } from './page-log';

export const CHROMIUM = process.env.ORCHESTRA_CHROMIUM ?? '/usr/bin/chromium';
const COMMON_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** With WebGL, from SwiftShader: for the 3D view (its tests and the bench). */
export const CHROMIUM_ARGS = [
  ...COMMON_ARGS,
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
];
/**
 * Without a GPU process, for pages that draw no WebGL: they render in software as they would
 * on a machine without a GPU, for half Chromium's CPU (the dashboard suite's 200-agent page:
 * 16 CPU-s with SwiftShader compositing, 9 without).
 */
export const CHROMIUM_2D_ARGS = [...COMMON_ARGS, '--disable-gpu'];

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

/** Debian's Chromium, launched as every browser test launches it: with WebGL where a test opens the 3D view. */
export const launchBrowser = ({ webgl = false }: { webgl?: boolean } = {}): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: webgl ? CHROMIUM_ARGS : CHROMIUM_2D_ARGS });

/**
 * Uncaught errors of `page` go to `errors` (a test expects none), its waits give up after 30 s,
 * and its API calls are logged for a failed wait to tell (page-log.ts).
 */
export function watch(page: Page, errors: string[]): Page {
  page.setDefaultTimeout(30_000);
  logPage(page);
  page.on('pageerror', (err) => errors.push(String(err.stack ?? err.message).slice(0, 600)));
  return page;
}

/** A new page of `browser`, watched. */
export async function watchedPage(
  browser: Browser,
  errors: string[],
  viewport = { width: 1280, height: 800 },
): Promise<Page> {
  return watch(await browser.newPage({ viewport }), errors);
}

/** Sign `page` in with `token` on the dashboard at `url`, and wait for its live feed. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('feed').filter({ hasText: 'websocket' }).waitFor();
}
