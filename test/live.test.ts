/**
 * Against Claude itself: runs only when ANTHROPIC_API_KEY is set (never in CI, which has
 * no network but the package registries). Everything else runs on the scripted model.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { loadConfig } from '../src/config';
import { agentStatus, waitForAgent } from '../src/temporal/agents';
import { useHarness } from './helpers/harness';

const config = loadConfig();
const whenLive = config.anthropicApiKey ? describe : describe.skip;

whenLive('a live agent (ANTHROPIC_API_KEY set)', () => {
  const h = useHarness({
    live: { apiKey: config.anthropicApiKey ?? '', baseURL: config.anthropicBaseUrl, model: config.model },
  });

  test('writes a program, runs it and reports', async () => {
    const id = await h.spawn({
      task: 'Write hello.py that prints exactly "hello from orchestra", run it with python3, then say done.',
      limits: { maxIterations: 10 },
    });
    const result = await waitForAgent(h.client, id);
    expect(result.status).toBe('completed');
    expect(result.metrics.toolCalls).toBeGreaterThanOrEqual(2);
    const view = await agentStatus(h.client, id);
    expect(await readFile(path.join(view.cwd, 'hello.py'), 'utf8')).toMatch(/hello from orchestra/);
  });
});
