/**
 * The README's pictures of the dashboard, taken in a real browser against the real API, worker
 * and dev server: several agents writing at once and one waiting on a person, in the 2D list
 * and in the 3D view, which must draw them (pixels of their status colors, not only a canvas),
 * and where a click on an agent opens its chat. They land in test-artifacts/dashboard/, and in
 * docs/ with ORCHESTRA_DOCS_SCREENSHOTS=1.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { LOOKS } from '../src/dashboard/scene3d/look';
import { soloTokens, useApi, USERS } from './helpers/api';
import { ARTIFACTS, DOCS, launchBrowser, requireBrowser, signIn, watchedPage } from './helpers/browser';
import { useHarness } from './helpers/harness';
import { decodePng } from './helpers/png';
import { until } from './helpers/poll';

requireBrowser();

let browser: Browser;
/** What the page threw: nothing, at the end. */
const errors: string[] = [];
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchBrowser({ webgl: true }); // the 3D view's picture too
});
// Before the API's own: the browser's streams close first, so the API's close does not wait on them.
afterAll(() => browser?.close());
afterEach(() => expect(errors).toEqual([]));
const h = useHarness();
// Signed in as a user alone in a workspace: the pictures hold this suite's agents only.
const api = useApi(h, { tokens: soloTokens('dashboard-pictures') });

// Not `Math.abs` in the loop: a global looked up in a test file's context is slow (see png.ts).
const abs = Math.abs;
type Shown = keyof typeof LOOKS;
/** A status's color (src/dashboard/scene3d/look.ts) as red, green, blue. */
const rgbOf = (status: Shown) => [1, 3, 5].map((i) => parseInt(LOOKS[status].color.slice(i, i + 2), 16));
/** Side of the squares a picture is cut into to find where a color shows most, in pixels. */
const CELL = 16;

/**
 * How much of the scene's half of a picture (the chat is on the right) is drawn: far from the
 * page's background. And for each of `statuses`, how many pixels show its color in some light
 * (the scene bakes light into the colors: a shade between 0.35 and 1.3 times it; the floor's
 * tiles are greys far from every status color), and the middles of the squares where it shows
 * most, most first.
 */
function sceneIn(
  file: string,
  statuses: Shown[] = [],
): {
  pixels: number;
  drawn: number;
  colors: number;
  tones: Record<string, { pixels: number; spots: Array<{ x: number; y: number }> }>;
} {
  const { rgba, width } = decodePng(readFileSync(file));
  const colors = new Set<number>();
  const looks = statuses.map((status) => {
    const c = rgbOf(status);
    return {
      status,
      c,
      norm: c[0] * c[0] + c[1] * c[1] + c[2] * c[2],
      pixels: 0,
      cells: new Map<number, number>(),
    };
  });
  let drawn = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    const x = (i / 4) % width;
    if (x > width / 2) continue;
    const [r, g, b] = [rgba[i], rgba[i + 1], rgba[i + 2]];
    if (abs(r - 0x0d) + abs(g - 0x11) + abs(b - 0x17) > 24) drawn++;
    colors.add((r >> 4) * 256 + (g >> 4) * 16 + (b >> 4));
    for (const look of looks) {
      const { c } = look;
      const k = (r * c[0] + g * c[1] + b * c[2]) / look.norm;
      if (k < 0.35 || k > 1.3 || abs(r - k * c[0]) + abs(g - k * c[1]) + abs(b - k * c[2]) > 24) continue;
      look.pixels++;
      const cell = Math.floor(i / 4 / width / CELL) * width + Math.floor(x / CELL);
      look.cells.set(cell, (look.cells.get(cell) ?? 0) + 1);
    }
  }
  const tones = Object.fromEntries(
    looks.map((look) => [
      look.status,
      {
        pixels: look.pixels,
        spots: [...look.cells]
          .sort((a, b) => b[1] - a[1])
          .map(([cell]) => ({
            x: (cell % width) * CELL + CELL / 2,
            y: Math.floor(cell / width) * CELL + CELL / 2,
          })),
      },
    ]),
  );
  return { pixels: rgba.length / 4, drawn, colors: colors.size, tones };
}

/**
 * Pixels of a status color the 3D picture shows at least: a third of what three running
 * characters and their labels drew (13,600), and of one waiting (2,000, its color pulsing).
 */
const RUNNING_PIXELS = 4500;
const WAITING_PIXELS = 600;

test('the README’s pictures: several agents writing, one waiting on a person; in 3D a click on one opens its chat', async () => {
  const shotPage = await watchedPage(browser, errors);
  try {
    const cwd = await h.tempDir();
    // Held halfway through their replies (a gate never opened): writing for as long as the pictures take.
    const held = `pictures-${randomUUID()}`;
    const writing = (topic: string) =>
      h.script(
        [
          {
            text: `Looking at ${topic}. I will read the module, write a failing test, then fix the smallest thing that makes it pass. `.repeat(
              6,
            ),
            toolCalls: [{ name: 'list_files', input: {} }],
            textGate: held,
          },
        ],
        { repeatLast: true, task: `Fix ${topic}` },
      );
    const ids: string[] = [];
    for (const [name, topic] of [
      ['pager-fix', 'the pager'],
      ['flaky-tests', 'the flaky retry test'],
      ['docs-writer', 'the install guide'],
    ]) {
      const r = await api.call('solo', 'POST', '/agents', { task: writing(topic), cwd, name });
      ids.push(r.body.id as string);
    }
    const waiting = await api.call('solo', 'POST', '/agents', {
      task: h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }, { text: 'Done.' }], {
        task: 'Clean up the build directory',
      }),
      cwd,
      name: 'cleanup',
      policy: { autonomy: 'supervised' },
    });
    ids.push(waiting.body.id as string);
    await signIn(shotPage, `${api.server.url}/`, USERS.solo.token);
    await shotPage.locator('[data-stat=approvals] b', { hasText: /^[1-9]/ }).waitFor();
    await shotPage.locator(`.rows .row[data-agent-id="${ids[0]}"]`).click();
    await shotPage.getByTestId('writing').waitFor();
    // Two or more rows writing at once.
    await until(
      () => shotPage.getByTestId('row-activity').filter({ hasText: /^✎/ }).count(),
      (n) => n >= 2,
      'two rows writing at once',
    );
    const picture = async (name: string) => {
      const file = path.join(ARTIFACTS, name);
      await shotPage.screenshot({ path: file });
      if (process.env.ORCHESTRA_DOCS_SCREENSHOTS === '1') {
        mkdirSync(DOCS, { recursive: true });
        copyFileSync(file, path.join(DOCS, name));
      }
      return file;
    };
    await picture('dashboard-2d.png');

    // The same agents in the 3D tab: drawn (pixels, not only a canvas), the chat still open beside.
    await shotPage.getByRole('button', { name: '3d' }).click();
    await shotPage.locator('.scene canvas').waitFor();
    // Software WebGL takes a few frames: pictures until one shows the scene.
    const scene = await until(
      async () => sceneIn(await picture('dashboard-3d.png'), ['running', 'waiting_for_input']),
      (s) => s.drawn > s.pixels * 0.05 && s.colors > 20,
      'the 3D scene drawn',
    );
    expect(scene.drawn).toBeGreaterThan(scene.pixels * 0.05);
    expect(scene.colors).toBeGreaterThan(20);
    // The agents are drawn in their status's color: three running, one waiting on a person.
    expect(scene.tones.running.pixels).toBeGreaterThan(RUNNING_PIXELS);
    expect(scene.tones.waiting_for_input.pixels).toBeGreaterThan(WAITING_PIXELS);
    await shotPage.getByTestId('agent-card').waitFor();

    // A click on the one waiting opens its chat beside the scene. It stands where its color shows
    // most: the pointer over it there, the scene's panel for the agent under the pointer names it.
    const cleanup = ids[3];
    const hovered = shotPage.getByTestId('scene3d-panel-hovered');
    let at: { x: number; y: number } | undefined;
    for (const spot of scene.tones.waiting_for_input.spots.slice(0, 6)) {
      await shotPage.mouse.move(spot.x, spot.y);
      const named = await hovered.getAttribute('data-agent-id', { timeout: 1000 }).catch(() => undefined);
      if (named === cleanup) {
        at = spot;
        break;
      }
    }
    expect(at).toBeDefined();
    await shotPage.mouse.click(at!.x, at!.y);
    const detail = shotPage.getByTestId('agent-detail');
    await detail.locator(`h2[title="${cleanup}"]`).waitFor();
    await detail
      .getByTestId('chat')
      .locator('.msg.task', { hasText: 'Clean up the build directory' })
      .waitFor();
    await shotPage.screenshot({ path: path.join(ARTIFACTS, 'dashboard-3d-clicked.png') });
    await Promise.all(ids.map((id) => api.call('solo', 'DELETE', `/agents/${id}`)));
  } finally {
    await shotPage.close();
  }
});
