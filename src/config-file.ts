/**
 * The config file (ORCHESTRA_CONFIG, default ./orchestra.config.json): your registry
 * entries, routing, backends, prices and the defaults for every agent. Read by the CLI,
 * the API and the workers alike; validated with zod, errors name the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import {
  DEFAULT_PRICES,
  OrchestraError,
  orchestraFileSchema,
  type AgentDefaults,
  type OrchestraFile,
} from './domain';
import { cliDefaults, DEFAULT_CONFIG_FILE, type OrchestraConfig } from './config';
import type { ActivityDeps } from '../activities';

export class ConfigFileError extends OrchestraError {
  constructor(message?: string) {
    super('bad_request', message);
  }
}

/** Every problem as `path.to.field: what is wrong`, one per line. */
function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => `  ${i.path.length ? i.path.map(String).join('.') : '(top level)'}: ${i.message}`)
    .join('\n');
}

export function parseOrchestraFile(text: string, where: string): OrchestraFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigFileError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = orchestraFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigFileError(`${where} is not a valid Orchestra config file:\n${describe(parsed.error)}`);
  return parsed.data;
}

/** The file named by ORCHESTRA_CONFIG (which must exist), else ./orchestra.config.json if present. */
export function loadOrchestraFile(
  config: Pick<OrchestraConfig, 'configFile'>,
  cwd = process.cwd(),
): {
  path?: string;
  file: OrchestraFile;
} {
  const named = config.configFile;
  const file = path.resolve(cwd, named ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (named) throw new ConfigFileError(`ORCHESTRA_CONFIG names ${file}, which does not exist`);
    return { file: {} };
  }
  return { path: file, file: parseOrchestraFile(readFileSync(file, 'utf8'), file) };
}

/** What a worker's activities need from the environment and the config file. */
export function activityDeps(config: OrchestraConfig, file: OrchestraFile): ActivityDeps {
  const backends = Object.fromEntries(
    Object.entries(file.backends ?? {}).map(([name, b]) => [
      name,
      { baseURL: b.baseURL, apiKey: config.env[b.apiKeyEnv ?? 'ANTHROPIC_API_KEY'] },
    ]),
  );
  return {
    endpoint: { apiKey: config.anthropicApiKey, baseURL: config.anthropicBaseUrl },
    backends,
    prices: { ...DEFAULT_PRICES, ...file.prices },
    file,
    defaultModel: config.model,
    resultCache: config.resultCache,
  };
}

/** What the CLI starts agents and swarms with: the environment's defaults and the config file. */
export function clientDefaults(config: OrchestraConfig): AgentDefaults {
  return { ...cliDefaults(config), file: loadOrchestraFile(config).file };
}
