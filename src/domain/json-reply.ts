/** Reading the JSON object a model was asked to end its reply with. Pure. */

/**
 * The JSON object in a reply: the widest span from a `{` to the reply's last `}` that parses,
 * so prose before it, a code fence around it and braces inside its strings do no harm.
 * `undefined` when the reply has no `{`; `null` when nothing in it parses as an object.
 */
export function jsonObjectIn(text: string): Record<string, unknown> | null | undefined {
  const end = text.lastIndexOf('}');
  if (text.indexOf('{') < 0 || end < 0) return undefined;
  for (let start = text.indexOf('{'); start >= 0 && start < end; start = text.indexOf('{', start + 1)) {
    try {
      const value: unknown = JSON.parse(text.slice(start, end + 1));
      if (value && typeof value === 'object' && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch {
      // a wider span did not parse: try from the next brace
    }
  }
  return null;
}
