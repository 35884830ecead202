/**
 * The dashboard's 3D view in a real browser: Debian's Chromium, headless, WebGL from
 * SwiftShader (no GPU). A hundred synthetic agents render (pixels of several colors on the
 * screenshot, not just a canvas element), and a click on one selects it and opens its panel.
 * Screenshots go to test-artifacts/. Speed is the bench's business (BENCH_ONLY=scene).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { decodePng } from './helpers/png';
import { CHROMIUM, CHROMIUM_ARGS, startSceneHarness, type HarnessPage } from './helpers/harness-page';

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const BACKGROUND = [0x0d, 0x11, 0x17];

/** The harness's handle, read inside the page as `globalThis` (this file has no DOM types). */
interface ScenePage {
  __scene?: {
    ready: boolean;
    selected?: string;
    frames(): number;
    screenPosition(id: string): { x: number; y: number } | undefined;
  };
}

let harness: HarnessPage;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: run scripts/install-system-tools.sh (or set ORCHESTRA_CHROMIUM)`,
    );
  await mkdir(ARTIFACTS, { recursive: true });
  harness = await startSceneHarness();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${harness.url}?agents=100&zones=6`);
  await page.waitForFunction(() => (globalThis as unknown as ScenePage).__scene?.ready === true, undefined, {
    timeout: 60_000,
  });
  // A few frames drawn, so the screenshot shows the scene and not the first clear.
  await page.waitForFunction(() => (globalThis as unknown as ScenePage).__scene!.frames() > 10, undefined, {
    timeout: 60_000,
  });
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

/** How many of a screenshot's pixels fall in each class. */
function countPixels(png: Buffer): Record<string, number> {
  const { rgba } = decodePng(png);
  const counts = { total: 0, scene: 0, red: 0, green: 0, blue: 0, amber: 0, light: 0 };
  for (let i = 0; i < rgba.length; i += 4) {
    const [r, g, b] = [rgba[i], rgba[i + 1], rgba[i + 2]];
    counts.total++;
    const far = Math.abs(r - BACKGROUND[0]) + Math.abs(g - BACKGROUND[1]) + Math.abs(b - BACKGROUND[2]);
    if (far > 24) counts.scene++;
    if (r > g + 80 && r > b + 80 && g < 120) counts.red++;
    if (g > r + 40 && g > b + 30) counts.green++;
    if (b > r + 60 && b > g + 40) counts.blue++;
    if (r > 150 && g > 90 && b < 60 && r > g) counts.amber++;
    if (r > 200 && g > 200 && b > 200) counts.light++;
  }
  return counts;
}

test('the browser has WebGL 2 from SwiftShader (no GPU on this machine)', async () => {
  // A string: this file is Node code, without the DOM's types.
  const renderer = await page.evaluate<string | undefined>(`(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return undefined;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  })()`);
  expect(renderer).toBeDefined();
  console.log(`WebGL renderer: ${renderer}`);
});

test('a hundred agents render: zones, characters of every status color, labels', async () => {
  const png = await page.screenshot({ path: join(ARTIFACTS, 'scene3d-100-agents.png') });
  const counts = countPixels(png);
  // Floor tiles cover a good part of the view; each status color shows on many pixels.
  expect(counts.scene / counts.total).toBeGreaterThan(0.2);
  expect(counts.green).toBeGreaterThan(3000); // running
  expect(counts.red).toBeGreaterThan(1000); // failed
  expect(counts.blue).toBeGreaterThan(1000); // idle
  expect(counts.amber).toBeGreaterThan(1000); // waiting for input
  expect(counts.light).toBeGreaterThan(1000); // label text, parent-child lines
});

test('clicking an agent selects it and opens its panel', async () => {
  const target = 'agent-12';
  const at = await page.evaluate(
    (id) => (globalThis as unknown as ScenePage).__scene!.screenPosition(id),
    target,
  );
  expect(at).toBeDefined();
  await page.mouse.click(at!.x, at!.y);
  await page.waitForFunction((id) => (globalThis as unknown as ScenePage).__scene!.selected === id, target, {
    timeout: 10_000,
  });
  const panel = page.getByTestId('scene3d-panel-selected');
  await panel.waitFor({ timeout: 10_000 });
  expect(await panel.getAttribute('data-agent-id')).toBe(target);
  expect(await panel.textContent()).toContain('agent 12');
  await page.waitForTimeout(300); // a frame or two with the ring and the panel
  await page.screenshot({ path: join(ARTIFACTS, 'scene3d-selected.png') });
});

test('a click on the empty floor selects nobody else', async () => {
  await page.mouse.click(5, 5); // a corner: background
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => (globalThis as unknown as ScenePage).__scene!.selected)).toBe('agent-12');
});
