/**
 * The secrets redactor: API keys, tokens and private keys are replaced before a tool's
 * output or a model's reply reaches the workflow history, the model or the logs.
 */
import { safeRegExp } from './regex-safety';

/**
 * Well-known credential shapes. Each match is replaced by `[REDACTED:<name>]`; a shape
 * that captures a prefix (`Bearer `, `postgres://user:`) keeps it, so the line still reads.
 * Every shape runs in linear time: a repetition that could fail after a long scan is
 * bounded, and the two that cannot be (private keys, JWTs, both long) are found by code.
 */
const SECRET_SHAPES: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'anthropic-key', pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}/g },
  { name: 'openai-key', pattern: /\bsk-(proj-)?[A-Za-z0-9_-]{20,}/g },
  { name: 'aws-access-key', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'github-token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/g },
  { name: 'slack-token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  { name: 'google-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { name: 'stripe-key', pattern: /\b[rs]k_(live|test)_[A-Za-z0-9]{16,}/g },
  { name: 'bearer', pattern: /\b(Bearer\s{1,16})[A-Za-z0-9._~+/-]{20,}=*/g },
  // `postgres://user:password@host`, `https://token:x-oauth@host`: the password goes, the user stays.
  {
    name: 'url-password',
    pattern: /\b([a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/?#@]{0,256}:)[^\s/?#@]{1,256}(?=@)/gi,
  },
];

/** `API_KEY=...`, `"password": "..."`: the name stays, the value goes. */
const ASSIGNMENT =
  /\b([A-Za-z0-9_]{0,64}(?:api[_-]?key|secret|token|passw(?:or)?d|credential|private[_-]?key)[A-Za-z0-9_]{0,64})(["']?\s{0,16}[:=]\s{0,16}["']?)([^\s"',;]{8,})/gi;

const KEY_BEGIN = /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----/g;
const KEY_END = /-----END [A-Z ]{0,40}PRIVATE KEY-----/g;

/** PEM private keys, BEGIN to the first END after it: one pass, each END searched for once. */
function redactPrivateKeys(text: string): Redaction {
  let count = 0;
  let out = '';
  let at = 0;
  for (;;) {
    KEY_BEGIN.lastIndex = at;
    const begin = KEY_BEGIN.exec(text);
    if (!begin) break;
    KEY_END.lastIndex = begin.index + begin[0].length;
    const end = KEY_END.exec(text);
    if (!end) break; // no END after this BEGIN, so none after a later one either
    out += `${text.slice(at, begin.index)}[REDACTED:private-key]`;
    at = end.index + end[0].length;
    count += 1;
  }
  return { text: count ? out + text.slice(at) : text, count };
}

/**
 * A run of base64url segments joined by dots, from an `eyJ` at a word start: matched whole,
 * never backtracked into, so the scan is linear; the JWTs in it are then found segment by segment.
 */
const DOTTED_RUN = /\beyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)*/g;
const JWT_START = /(?:^|-)eyJ/;

/** `eyJ<header>.eyJ<payload>.<signature>`, each part at least 8 characters past its prefix. */
function redactJwts(text: string): Redaction {
  let count = 0;
  const out = text.replace(DOTTED_RUN, (run) => {
    const parts = run.split('.');
    const kept: string[] = [];
    let found = false;
    for (let i = 0; i < parts.length; i++) {
      const start = JWT_START.exec(parts[i]);
      const at = start ? start.index + start[0].length - 3 : -1;
      const header = at >= 0 ? parts[i].slice(at) : '';
      const [payload, signature] = [parts[i + 1] ?? '', parts[i + 2] ?? ''];
      if (header.length >= 11 && payload.startsWith('eyJ') && payload.length >= 11 && signature.length >= 8) {
        kept.push(`${parts[i].slice(0, at)}[REDACTED:jwt]`);
        count += 1;
        found = true;
        i += 2;
      } else kept.push(parts[i]);
    }
    return found ? kept.join('.') : run;
  });
  return { text: out, count };
}

export interface Redaction {
  text: string;
  /** How many secrets were replaced. */
  count: number;
}

/**
 * Replace every secret in `text`; `extra` are user patterns (regular expression sources).
 * A user pattern that could backtrack catastrophically is skipped (the config schema refuses
 * it; only an agent started before that check carries one).
 */
export function redactSecrets(text: string, extra: readonly string[] = []): Redaction {
  const keys = redactPrivateKeys(text);
  let count = keys.count;
  let out = keys.text;
  for (const { name, pattern } of SECRET_SHAPES) {
    const keepsPrefix = name === 'bearer' || name === 'url-password';
    out = out.replace(pattern, (_m, ...groups) => {
      count += 1;
      return keepsPrefix ? `${String(groups[0])}[REDACTED:${name}]` : `[REDACTED:${name}]`;
    });
    if (name === 'google-key') {
      // JWTs where the pattern list had them, before bearer tokens take their tail.
      const jwts = redactJwts(out);
      count += jwts.count;
      out = jwts.text;
    }
  }
  out = out.replace(ASSIGNMENT, (m, key: string, sep: string, value: string) => {
    if (value.startsWith('[REDACTED')) return m;
    count += 1;
    return `${key}${sep}[REDACTED]`;
  });
  for (const source of extra) {
    const pattern = safeRegExp(source, 'g');
    if (!pattern) continue;
    out = out.replace(pattern, () => {
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
