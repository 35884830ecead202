/** Configuration from the environment, validated, with the documented defaults in one place. */
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { packageRoot } from './package-root';
import { DEFAULT_STALE_AFTER_SECONDS, describeIssue, workspaceIdSchema, type AgentDefaults } from './domain';

export const DEFAULTS = {
  TEMPORAL_ADDRESS: 'localhost:7233',
  TEMPORAL_NAMESPACE: 'default',
  ORCHESTRA_TASK_QUEUE: 'orchestra',
  // claude-sonnet-4-5 reaches end of life on 2026-11-30 (the SDK warns on every call).
  ORCHESTRA_MODEL: 'claude-sonnet-5-5',
  ORCHESTRA_UI_PORT: 8233,
  ORCHESTRA_WORKSPACE: 'default',
  ORCHESTRA_API_HOST: '127.0.0.1',
  ORCHESTRA_API_PORT: 8787,
  ORCHESTRA_API_STREAMS_PER_USER: 16,
  ORCHESTRA_STALE_AFTER_SECONDS: DEFAULT_STALE_AFTER_SECONDS,
  ORCHESTRA_MODEL_RPM_COOLDOWN_SECONDS: 30,
} as const;

/** The user the CLI acts as: the owner of what it starts. */
const osUser = (): string => {
  try {
    return os.userInfo().username.replace(/[^A-Za-z0-9_.@-]/g, '_') || 'local';
  } catch {
    return 'local';
  }
};

/** An exact web origin, as a browser sends it in `Origin`: `https://dash.example.com`, `http://10.0.0.5:3000`. */
export const webOriginSchema = z.string().refine(
  (text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
    } catch {
      return false;
    }
  },
  {
    error: (issue) =>
      `"${String(issue.input)}" is not an origin: scheme://host[:port], lowercase, no path or trailing slash`,
  },
);

/** ORCHESTRA_API_CORS_ORIGINS: comma-separated exact origins. */
const corsOriginsSchema = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(z.array(webOriginSchema).max(100));

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
  ORCHESTRA_MODEL_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(100),
  ORCHESTRA_MODEL_RPM: z.coerce.number().int().min(0).default(0),
  ORCHESTRA_MODEL_RPM_COOLDOWN_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(DEFAULTS.ORCHESTRA_MODEL_RPM_COOLDOWN_SECONDS),
  ORCHESTRA_USER: workspaceIdSchema.optional(),
  ORCHESTRA_WORKSPACE: workspaceIdSchema.default(DEFAULTS.ORCHESTRA_WORKSPACE),
  ORCHESTRA_API_HOST: z.string().min(1).default(DEFAULTS.ORCHESTRA_API_HOST),
  ORCHESTRA_API_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULTS.ORCHESTRA_API_PORT),
  ORCHESTRA_API_TOKENS: z.string().min(1).optional(),
  ORCHESTRA_API_TOKENS_FILE: z.string().min(1).optional(),
  ORCHESTRA_API_ALLOWED_HOSTS: z.string().min(1).optional(),
  ORCHESTRA_API_CORS_ORIGINS: corsOriginsSchema.optional(),
  ORCHESTRA_API_COOKIE_SECURE: z.enum(['auto', 'on', 'off']).default('auto'),
  ORCHESTRA_API_STREAMS_PER_USER: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(DEFAULTS.ORCHESTRA_API_STREAMS_PER_USER),
  ORCHESTRA_CONFIG: z.string().min(1).optional(),
  ORCHESTRA_CACHE_DIR: z.string().min(1).optional(),
  ORCHESTRA_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).max(10_000_000).optional(),
  ORCHESTRA_CACHE_MAX_MB: z.coerce.number().min(1).optional(),
  ORCHESTRA_STALE_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULTS.ORCHESTRA_STALE_AFTER_SECONDS),
  // Read by the patched SDK in the workflow thread (workers/stack-traces.ts); checked here so a typo fails loudly.
  ORCHESTRA_WORKFLOW_STACK_TRACES: z.enum(['on', 'off']).default('off'),
  // host:port of the worker's Prometheus endpoint (/metrics); none when unset.
  ORCHESTRA_METRICS_ADDRESS: z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'host:port, e.g. 0.0.0.0:9464')
    .optional(),
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
  /**
   * The least time between two changes of the fleet's rate (a cut on 429s, a raise on clean calls).
   * @default 30 (ORCHESTRA_MODEL_RPM_COOLDOWN_SECONDS)
   */
  modelRateCooldownSeconds: number;
  /** Who the CLI acts as (the owner of what it starts), and the workspace it starts things in. */
  user: string;
  workspace: string;
  api: {
    host: string;
    port: number;
    /** Bearer tokens as JSON (see src/api/tokens.ts), inline or in a file. */
    tokens?: string;
    tokensFile?: string;
    /**
     * Host names (`name`, `name:port`, `*.domain`) the API answers to besides loopback with its
     * port and the address it is bound to; `*` turns the Host and Origin checks off.
     * @default [] (ORCHESTRA_API_ALLOWED_HOSTS, comma-separated)
     */
    allowedHosts?: string[];
    /**
     * Live streams one user may hold open at once (429 past it).
     * @default 16 (ORCHESTRA_API_STREAMS_PER_USER)
     */
    streamsPerUser?: number;
    /**
     * Exact origins (`https://dash.example.com`) of pages elsewhere that may call the API from a
     * browser: they get CORS headers, and pass the Origin check.
     * @default [] (ORCHESTRA_API_CORS_ORIGINS, comma-separated)
     */
    corsOrigins?: string[];
    /**
     * Whether the sign-in cookie is `Secure`: `auto` when the request came over TLS; `on` behind
     * a proxy that terminates TLS.
     * @default 'auto' (ORCHESTRA_API_COOKIE_SECURE)
     */
    cookieSecure?: 'auto' | 'on' | 'off';
  };
  /** Seconds of silence after which an agent's work is reported stale. */
  staleAfterSeconds: number;
  /** host:port where the worker serves Prometheus metrics (the SDK's and Orchestra's). */
  metricsAddress?: string;
  /** The config file (registry, routing, backends, prices, defaults); absent when there is none. */
  configFile?: string;
  /**
   * The swarm result cache on the worker's disk, per workspace (activities/result-cache.ts).
   * @default dir `<home>/result-cache` (ORCHESTRA_CACHE_DIR), 10,000 entries
   * (ORCHESTRA_CACHE_MAX_ENTRIES) and 500 MB (ORCHESTRA_CACHE_MAX_MB) per workspace
   */
  resultCache: { dir: string; maxEntries?: number; maxBytes?: number };
  /** Environment variables by name, for backends' `apiKeyEnv`. */
  env: Record<string, string | undefined>;
}

/** The config file read when ORCHESTRA_CONFIG is not set, if it exists. */
export const DEFAULT_CONFIG_FILE = 'orchestra.config.json';

/** The project root: where package.json lives. */
export const PROJECT_ROOT = packageRoot(__dirname);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OrchestraConfig {
  // An empty variable means unset, as in most shells' habits.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new Error(`bad environment: ${describeIssue(parsed.error)}`);
  }
  const e = parsed.data;
  const home = e.ORCHESTRA_HOME ?? path.join(PROJECT_ROOT, '.orchestra');
  return {
    temporalAddress: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.ORCHESTRA_TASK_QUEUE,
    model: e.ORCHESTRA_MODEL,
    uiPort: e.ORCHESTRA_UI_PORT,
    anthropicApiKey: e.ANTHROPIC_API_KEY,
    anthropicBaseUrl: e.ANTHROPIC_BASE_URL,
    temporalCli: e.TEMPORAL_CLI,
    home,
    modelConcurrency: e.ORCHESTRA_MODEL_CONCURRENCY,
    modelCallsPerMinute: e.ORCHESTRA_MODEL_RPM,
    modelRateCooldownSeconds: e.ORCHESTRA_MODEL_RPM_COOLDOWN_SECONDS,
    user: e.ORCHESTRA_USER ?? osUser(),
    workspace: e.ORCHESTRA_WORKSPACE,
    api: {
      host: e.ORCHESTRA_API_HOST,
      port: e.ORCHESTRA_API_PORT,
      tokens: e.ORCHESTRA_API_TOKENS,
      tokensFile: e.ORCHESTRA_API_TOKENS_FILE,
      allowedHosts: (e.ORCHESTRA_API_ALLOWED_HOSTS ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
      streamsPerUser: e.ORCHESTRA_API_STREAMS_PER_USER,
      corsOrigins: e.ORCHESTRA_API_CORS_ORIGINS ?? [],
      cookieSecure: e.ORCHESTRA_API_COOKIE_SECURE,
    },
    staleAfterSeconds: e.ORCHESTRA_STALE_AFTER_SECONDS,
    ...(e.ORCHESTRA_METRICS_ADDRESS ? { metricsAddress: e.ORCHESTRA_METRICS_ADDRESS } : {}),
    configFile: e.ORCHESTRA_CONFIG,
    resultCache: {
      dir: e.ORCHESTRA_CACHE_DIR ?? path.join(home, 'result-cache'),
      ...(e.ORCHESTRA_CACHE_MAX_ENTRIES ? { maxEntries: e.ORCHESTRA_CACHE_MAX_ENTRIES } : {}),
      ...(e.ORCHESTRA_CACHE_MAX_MB ? { maxBytes: Math.round(e.ORCHESTRA_CACHE_MAX_MB * 2 ** 20) } : {}),
    },
    env: { ...env },
  };
}

/** What the CLI starts agents and swarms with. */
export function cliDefaults(config: OrchestraConfig): AgentDefaults {
  return {
    taskQueue: config.taskQueue,
    model: config.model,
    owner: config.user,
    workspace: config.workspace,
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
