/** What the dashboard suites read off the page and the API alike: the stats bar, the list's rows, an agent's spend. */
import type { Page } from 'playwright-core';
import { isTerminal } from '../../src/domain/status';
import type { TestApi } from './api';
import { until } from './poll';

/** The stats bar's figure under `label` (its data-stat), as shown. */
export const stat = async (page: Page, label: string): Promise<string> =>
  (await page.locator(`[data-stat="${label}"] b`).textContent()) ?? '';

/** Wait until the stats bar's figure under `label` (its data-stat) reads exactly `value`. */
export const statSays = (page: Page, label: string, value: string | number): Promise<void> =>
  page
    .locator(`[data-stat="${label}"] b`)
    .filter({ hasText: new RegExp(`^${String(value).replace(/[.$]/g, '\\$&')}$`) })
    .waitFor();

/** The ids of the agent list's rows drawn, top to bottom (they are drawn in the list's order). */
export const rowIds = (page: Page): Promise<string[]> =>
  page.locator('.rows .row').evaluateAll((els) => els.map((e) => e.getAttribute('data-agent-id') ?? ''));

/**
 * The tokens an agent spent, once it has ended, from its whole view as `solo` reads it (a partial
 * one, the API's answer before the agent's worker's under load, has none: read again).
 */
export async function tokensOf(api: TestApi, id: string): Promise<number> {
  const { body } = await until(
    () => api.call('solo', 'GET', `/agents/${id}`),
    (r) => r.body.tokens !== undefined && isTerminal(r.body.status),
    `the whole view of ${id}, ended`,
  );
  return body.tokens.input + body.tokens.output;
}
