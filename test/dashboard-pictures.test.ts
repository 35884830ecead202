/**
 * The README's pictures of the dashboard, taken in a real browser against the real API, worker
 * and dev server: several agents writing at once and one waiting on a person, in the 2D list
 * and in the 3D view, which must draw them (pixels, not only a canvas). They land in
 * test-artifacts/dashboard/, and in docs/ with ORCHESTRA_DOCS_SCREENSHOTS=1.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
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
/** How much of the scene's half of a picture (the chat is on the right) is drawn: far from the page's background. */
function sceneIn(file: string): { pixels: number; drawn: number; colors: number } {
  const { rgba, width } = decodePng(readFileSync(file));
  const colors = new Set<number>();
  let drawn = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if ((i / 4) % width > width / 2) continue;
    const [r, g, b] = [rgba[i], rgba[i + 1], rgba[i + 2]];
    if (abs(r - 0x0d) + abs(g - 0x11) + abs(b - 0x17) > 24) drawn++;
    colors.add((r >> 4) * 256 + (g >> 4) * 16 + (b >> 4));
  }
  return { pixels: rgba.length / 4, drawn, colors: colors.size };
}

test('the README’s picture: several agents writing, one waiting on a person', async () => {
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
      async () => sceneIn(await picture('dashboard-3d.png')),
      (s) => s.drawn > s.pixels * 0.05 && s.colors > 20,
      'the 3D scene drawn',
    );
    expect(scene.drawn).toBeGreaterThan(scene.pixels * 0.05);
    expect(scene.colors).toBeGreaterThan(20);
    await shotPage.getByTestId('agent-card').waitFor();
    await Promise.all(ids.map((id) => api.call('solo', 'DELETE', `/agents/${id}`)));
  } finally {
    await shotPage.close();
  }
});
