/**
 * How Orchestra authenticates to a Temporal server that is not a local dev server: TLS (server
 * CA, client certificate for mTLS, server name) and an API key (Temporal Cloud), from the same
 * environment variables the `temporal` CLI reads, so one environment serves both.
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { z } from 'zod';
import { OrchestraError } from '../domain/errors';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const text = z.string().min(1);

const authEnvSchema = z.object({
  TEMPORAL_API_KEY: text.optional(),
  TEMPORAL_TLS: flag.optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: text.optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: text.optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: text.optional(),
  TEMPORAL_TLS_CLIENT_CERT_DATA: text.optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: text.optional(),
  TEMPORAL_TLS_CLIENT_KEY_DATA: text.optional(),
  TEMPORAL_TLS_SERVER_NAME: text.optional(),
  TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: flag.optional(),
});

/** TLS or API key settings that do not fit together: bad input (exit 2). */
export class TemporalAuthError extends OrchestraError {
  constructor(message?: string) {
    super('bad_request', message);
  }
}

/** What a Connection or NativeConnection takes: `tls` and `apiKey`, when set. */
export interface TemporalAuth {
  tls?: TLSConfig;
  apiKey?: string;
}

/** A PEM from `<NAME>_DATA` or the file at `<NAME>_PATH` (never both). */
function pem(env: z.infer<typeof authEnvSchema>, name: 'SERVER_CA_CERT' | 'CLIENT_CERT' | 'CLIENT_KEY') {
  const data = env[`TEMPORAL_TLS_${name}_DATA`];
  const file = env[`TEMPORAL_TLS_${name}_PATH`];
  if (data && file)
    throw new TemporalAuthError(`set TEMPORAL_TLS_${name}_DATA or TEMPORAL_TLS_${name}_PATH, not both`);
  if (data) return Buffer.from(data);
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TemporalAuthError(`TEMPORAL_TLS_${name}_PATH: cannot read ${file} (${(err as Error).message})`);
  }
}

export function temporalAuth(environment: NodeJS.ProcessEnv = process.env): TemporalAuth {
  const parsed = authEnvSchema.safeParse(environment);
  if (!parsed.success)
    throw new TemporalAuthError(
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  const env = parsed.data;
  if (env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION)
    throw new TemporalAuthError(
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported here: set TEMPORAL_TLS_SERVER_NAME to the name in the server certificate',
    );
  const ca = pem(env, 'SERVER_CA_CERT');
  const crt = pem(env, 'CLIENT_CERT');
  const key = pem(env, 'CLIENT_KEY');
  if (Boolean(crt) !== Boolean(key))
    throw new TemporalAuthError('a client certificate needs its key, and a key its certificate (mTLS)');
  const anyTls = Boolean(ca || crt || env.TEMPORAL_TLS_SERVER_NAME);
  // As the CLI does: TLS turns on with an API key or any TLS setting, unless TEMPORAL_TLS=false.
  const on = env.TEMPORAL_TLS ?? (anyTls || Boolean(env.TEMPORAL_API_KEY));
  if (!on && anyTls) throw new TemporalAuthError('TEMPORAL_TLS=false, yet TLS settings are set');
  if (!on && env.TEMPORAL_API_KEY)
    throw new TemporalAuthError('TEMPORAL_TLS=false with TEMPORAL_API_KEY would send the key in clear text');
  const tls: TLSConfig | undefined = on
    ? {
        ...(ca ? { serverRootCACertificate: ca } : {}),
        ...(crt && key ? { clientCertPair: { crt, key } } : {}),
        ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME } : {}),
      }
    : undefined;
  return { ...(tls ? { tls } : {}), ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}) };
}
