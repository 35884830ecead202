/**
 * What a page asked the API and heard, and what its console said: a wait on the page that
 * fails says it (a form's request that answered 503, or never answered, shows on the page only
 * as a line of red text the test does not look for).
 */
import type { Locator, Page, Request } from 'playwright-core';

interface Entry {
  at: number;
  line: string;
}

const logs = new WeakMap<Page, { entries: Entry[]; pending: Map<Request, number> }>();
/** Enough for a failed wait's last minute or so; older lines go. */
const KEEP = 200;

/** Record `page`'s API calls (`/api/...`: method, path, status, time; an error's body) and console errors. */
export function logPage(page: Page): void {
  const entries: Entry[] = [];
  const pending = new Map<Request, number>();
  logs.set(page, { entries, pending });
  const add = (line: string) => {
    entries.push({ at: Date.now(), line });
    if (entries.length > KEEP) entries.shift();
  };
  const isApi = (r: Request) => new URL(r.url()).pathname.startsWith('/api/');
  const name = (r: Request) => {
    const url = new URL(r.url());
    return `${r.method()} ${url.pathname}${url.search}`;
  };
  const took = (r: Request) => `${Date.now() - (pending.get(r) ?? Date.now())} ms`;
  page.on('request', (r) => {
    if (isApi(r)) pending.set(r, Date.now());
  });
  page.on('requestfinished', (r) => {
    if (!isApi(r)) return;
    // A page closed meanwhile (a test's end) leaves no response to read: nothing to log.
    void r
      .response()
      .then(async (response) => {
        const status = response?.status() ?? 0;
        const body = status >= 400 ? ` ${(await response!.text().catch(() => '')).slice(0, 300)}` : '';
        add(`${name(r)} → ${status} (${took(r)})${body}`);
      })
      .catch(() => undefined)
      .finally(() => pending.delete(r));
  });
  page.on('requestfailed', (r) => {
    if (!isApi(r)) return;
    add(`${name(r)} → failed: ${r.failure()?.errorText ?? '?'} (${took(r)})`);
    pending.delete(r);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') add(`console ${m.type()}: ${m.text().slice(0, 300)}`);
  });
}

/** `page`'s log since `since` (ms), the requests still unanswered, and the errors it shows. */
export async function pageLog(page: Page, since = 0): Promise<string> {
  const log = logs.get(page);
  if (!log) return 'the page is not logged (logPage)';
  const start = log.entries.find((e) => e.at >= since)?.at ?? Date.now();
  const lines = log.entries
    .filter((e) => e.at >= since)
    .map((e) => `  +${((e.at - start) / 1000).toFixed(1)} s ${e.line}`);
  for (const [r, at] of log.pending)
    lines.push(
      `  unanswered after ${((Date.now() - at) / 1000).toFixed(1)} s: ${r.method()} ${new URL(r.url()).pathname}`,
    );
  const shown = await page
    .locator('.error')
    .allTextContents()
    .catch(() => []);
  for (const text of shown) lines.push(`  the page shows the error: ${text}`);
  return lines.length ? lines.join('\n') : '  (no API call, console error or error on the page)';
}

/**
 * Wait for `locator`; if it never shows, the error says what the page heard meanwhile (from a
 * second before: the click that should have shown it).
 */
export async function shown(page: Page, locator: Locator, options: { timeout?: number } = {}): Promise<void> {
  const since = Date.now() - 1000;
  try {
    await locator.waitFor(options);
  } catch (err) {
    // A new error: jest prints an error's stack, which was written with its first message.
    const heard = await pageLog(page, since);
    throw new Error(`${(err as Error).message}\nWhat the page heard meanwhile:\n${heard}`, { cause: err });
  }
}
