/** Configuration from the environment, validated, with the documented defaults in one place. */
import * as path from 'node:path';
import { z } from 'zod';

export const DEFAULTS = {
  TEMPORAL_ADDRESS: 'localhost:7233',
  TEMPORAL_NAMESPACE: 'default',
  ORCHESTRA_TASK_QUEUE: 'orchestra',
  // claude-sonnet-4-5 reaches end of life on 2026-11-30 (the SDK warns on every call).
  ORCHESTRA_MODEL: 'claude-sonnet-5-5',
  ORCHESTRA_UI_PORT: 8233,
} as const;

const envSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default(DEFAULTS.TEMPORAL_ADDRESS),
  TEMPORAL_NAMESPACE: z.string().min(1).default(DEFAULTS.TEMPORAL_NAMESPACE),
  ORCHESTRA_TASK_QUEUE: z.string().min(1).default(DEFAULTS.ORCHESTRA_TASK_QUEUE),
  ORCHESTRA_MODEL: z.string().min(1).default(DEFAULTS.ORCHESTRA_MODEL),
  ORCHESTRA_UI_PORT: z.coerce.number().int().min(1).max(65535).default(DEFAULTS.ORCHESTRA_UI_PORT),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
  TEMPORAL_CLI: z.string().min(1).optional(),
  ORCHESTRA_HOME: z.string().min(1).optional(),
  ORCHESTRA_MODEL_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(8),
  ORCHESTRA_MODEL_RPM: z.coerce.number().int().min(0).default(0),
});

export interface OrchestraConfig {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  model: string;
  uiPort: number;
  anthropicApiKey?: string;
  anthropicBaseUrl?: string;
  temporalCli?: string;
  /** Project-local state: the dev server's database and the CLI cache. */
  home: string;
  /** Model calls at once per worker. */
  modelConcurrency: number;
  /** Model calls per minute across the fleet; 0 for no limit. */
  modelCallsPerMinute: number;
}

/** The project root: where package.json lives (this file is src/config.ts, or dist/src/config.js). */
export const PROJECT_ROOT = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..',
);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OrchestraConfig {
  // An empty variable means unset, as in most shells' habits.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new Error(`bad environment: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  }
  const e = parsed.data;
  return {
    temporalAddress: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.ORCHESTRA_TASK_QUEUE,
    model: e.ORCHESTRA_MODEL,
    uiPort: e.ORCHESTRA_UI_PORT,
    anthropicApiKey: e.ANTHROPIC_API_KEY,
    anthropicBaseUrl: e.ANTHROPIC_BASE_URL,
    temporalCli: e.TEMPORAL_CLI,
    home: e.ORCHESTRA_HOME ?? path.join(PROJECT_ROOT, '.orchestra'),
    modelConcurrency: e.ORCHESTRA_MODEL_CONCURRENCY,
    modelCallsPerMinute: e.ORCHESTRA_MODEL_RPM,
  };
}

/** Where a workflow is shown in the Web UI. */
export function webUiLink(
  config: Pick<OrchestraConfig, 'uiPort' | 'namespace' | 'temporalAddress'>,
  workflowId: string,
): string {
  const host = config.temporalAddress.split(':')[0] || 'localhost';
  return `http://${host}:${config.uiPort}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
