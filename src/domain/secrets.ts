/**
 * The secrets redactor: API keys, tokens and private keys are replaced before a tool's
 * output or a model's reply reaches the workflow history, the model or the logs.
 */

/**
 * Well-known credential shapes. Each match is replaced by `[REDACTED:<name>]`; a shape
 * that captures a prefix (`Bearer `, `postgres://user:`) keeps it, so the line still reads.
 */
const SECRET_SHAPES: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  {
    name: 'private-key',
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  },
  { name: 'anthropic-key', pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}/g },
  { name: 'openai-key', pattern: /\bsk-(proj-)?[A-Za-z0-9_-]{20,}/g },
  { name: 'aws-access-key', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'github-token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/g },
  { name: 'slack-token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  { name: 'google-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { name: 'stripe-key', pattern: /\b[rs]k_(live|test)_[A-Za-z0-9]{16,}/g },
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { name: 'bearer', pattern: /\b(Bearer\s+)[A-Za-z0-9._~+/-]{20,}=*/g },
  // `postgres://user:password@host`, `https://token:x-oauth@host`: the password goes, the user stays.
  { name: 'url-password', pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s/?#@]+(?=@)/gi },
];

/** `API_KEY=...`, `"password": "..."`: the name stays, the value goes. */
const ASSIGNMENT =
  /\b([A-Za-z0-9_]*(?:api[_-]?key|secret|token|passw(?:or)?d|credential|private[_-]?key)[A-Za-z0-9_]*)(["']?\s*[:=]\s*["']?)([^\s"',;]{8,})/gi;

export interface Redaction {
  text: string;
  /** How many secrets were replaced. */
  count: number;
}

/** Replace every secret in `text`; `extra` are user patterns (regular expression sources). */
export function redactSecrets(text: string, extra: readonly string[] = []): Redaction {
  let count = 0;
  let out = text;
  for (const { name, pattern } of SECRET_SHAPES) {
    const keepsPrefix = name === 'bearer' || name === 'url-password';
    out = out.replace(pattern, (_m, ...groups) => {
      count += 1;
      return keepsPrefix ? `${String(groups[0])}[REDACTED:${name}]` : `[REDACTED:${name}]`;
    });
  }
  out = out.replace(ASSIGNMENT, (m, key: string, sep: string, value: string) => {
    if (value.startsWith('[REDACTED')) return m;
    count += 1;
    return `${key}${sep}[REDACTED]`;
  });
  for (const source of extra) {
    out = out.replace(new RegExp(source, 'g'), () => {
      count += 1;
      return '[REDACTED:custom]';
    });
  }
  return { text: out, count };
}

/** Redact every string inside a JSON-like value (a model's tool arguments). */
export function redactDeep<T>(value: T, extra: readonly string[] = []): { value: T; count: number } {
  let count = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const r = redactSecrets(v, extra);
      count += r.count;
      return r.text;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(value) as T, count };
}
