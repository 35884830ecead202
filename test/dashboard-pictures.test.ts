/**
 * The README's pictures of the dashboard, taken in a real browser against the real API, worker
 * and dev server: several agents writing at once and one waiting on a person, in the 2D list
 * and in the 3D view, which must draw them (pixels, not only a canvas). They land in
 * test-artifacts/dashboard/, and in docs/ with ORCHESTRA_DOCS_SCREENSHOTS=1.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { soloTokens, useApi, USERS } from './helpers/api';
import { ARTIFACTS, DOCS, launchBrowser, requireBrowser, signIn, watchedPage } from './helpers/browser';
import { useHarness } from './helpers/harness';
import { decodePng } from './helpers/png';

requireBrowser();

let browser: Browser;
/** What the page threw: nothing, at the end. */
const errors: string[] = [];
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchBrowser();
});
// Before the API's own: the browser's streams close first, so the API's close does not wait on them.
afterAll(() => browser?.close());
afterEach(() => expect(errors).toEqual([]));
const h = useHarness();
// Signed in as a user alone in a workspace: the pictures hold this suite's agents only.
const api = useApi(h, { tokens: soloTokens('dashboard-pictures') });

test('the README’s picture: several agents writing, one waiting on a person', async () => {
  const shotPage = await watchedPage(browser, errors);
  try {
    const cwd = await h.tempDir();
    const writing = (topic: string) =>
      h.script(
        [
          {
            text: `Looking at ${topic}. I will read the module, write a failing test, then fix the smallest thing that makes it pass. `.repeat(
              6,
            ),
            toolCalls: [{ name: 'list_files', input: {} }],
            chunkDelayMs: 250,
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
    const deadline = Date.now() + 30_000;
    while (
      (await shotPage.getByTestId('row-activity').filter({ hasText: /^✎/ }).count()) < 2 &&
      Date.now() < deadline
    )
      await shotPage.waitForTimeout(200);
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
    await shotPage.waitForTimeout(1500); // a few frames of software WebGL
    const { rgba, width } = decodePng(readFileSync(await picture('dashboard-3d.png')));
    const colors = new Set<number>();
    let drawn = 0;
    // The scene's half of the page (the chat is on the right): far from the page's background.
    for (let i = 0; i < rgba.length; i += 4) {
      if ((i / 4) % width > width / 2) continue;
      const [r, g, b] = [rgba[i], rgba[i + 1], rgba[i + 2]];
      if (Math.abs(r - 0x0d) + Math.abs(g - 0x11) + Math.abs(b - 0x17) > 24) drawn++;
      colors.add((r >> 4) * 256 + (g >> 4) * 16 + (b >> 4));
    }
    expect(drawn).toBeGreaterThan((rgba.length / 4) * 0.05);
    expect(colors.size).toBeGreaterThan(20);
    await shotPage.getByTestId('agent-card').waitFor();
    await Promise.all(ids.map((id) => api.call('solo', 'DELETE', `/agents/${id}`)));
  } finally {
    await shotPage.close();
  }
});
