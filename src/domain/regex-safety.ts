/**
 * Whether a user's regular expression can backtrack catastrophically. User patterns (bash
 * deny and allow lists, hook rules, secret shapes) run inside workflow code, where a match
 * that takes exponential time stops the worker. Pure: no Node APIs, importable by workflows.
 *
 * The rule: inside every repeated part of a pattern, each choice the matcher makes (which
 * alternative, whether an optional part is there, whether an inner repetition goes on or
 * stops, whether the next round of the repetition starts) must be decided by the next
 * character alone. Then a repetition can match a text in one way only, and matching time
 * is polynomial at worst: `(a+)+`, `(\w+\s?)+`, `(a|a)+`, `(a|ab)*` and `(a?a)+` are
 * refused; `(-\S+\s+)*`, `(\d{3})+`, `(foo|bar)+` and `(\s+\w+)*` pass.
 */
import { ALL, NONE, overlap, Parser, union, type Node, type Ranges } from './regex-parse';

function nullable(n: Node): boolean {
  switch (n.kind) {
    case 'set':
      return false;
    case 'empty':
    case 'look':
    case 'backref':
      return true;
    case 'alt':
      return n.branches.some(nullable);
    case 'seq':
      return n.items.every(nullable);
    case 'repeat':
      return n.min === 0 || nullable(n.body);
  }
}

/** The characters a non-empty match of `n` can start with. */
function first(n: Node): Ranges {
  switch (n.kind) {
    case 'set':
      return n.set;
    case 'empty':
    case 'look':
      return NONE;
    case 'backref':
      return ALL;
    case 'alt':
      return union(...n.branches.map(first));
    case 'seq': {
      const sets: Ranges[] = [];
      for (const item of n.items) {
        sets.push(first(item));
        if (!nullable(item)) break;
      }
      return union(...sets);
    }
    case 'repeat':
      return n.max === 0 ? NONE : first(n.body);
  }
}

function show(unit: number): string {
  return unit >= 0x20 && unit < 0x7f
    ? `"${String.fromCharCode(unit)}"`
    : `U+${unit.toString(16).padStart(4, '0')}`;
}

/**
 * Walk `n`; `follow` is what may come next inside the enclosing repetition (its next round
 * included), or undefined outside any repetition, where a choice costs linear time at most.
 */
function hazard(n: Node, follow: Ranges | undefined): string | undefined {
  switch (n.kind) {
    case 'set':
    case 'empty':
    case 'look':
      return undefined;
    case 'backref':
      return follow ? `the back-reference ${n.src} is inside a repeated group` : undefined;
    case 'seq': {
      for (let k = 0; k < n.items.length; k++) {
        let next: Ranges | undefined = follow;
        if (follow) {
          const rest: Node = { kind: 'seq', items: n.items.slice(k + 1) };
          next = union(first(rest), nullable(rest) ? follow : NONE);
        }
        const why = hazard(n.items[k], next);
        if (why) return why;
      }
      return undefined;
    }
    case 'alt': {
      if (follow) {
        const starts = n.branches.map((b) => (nullable(b) ? union(first(b), follow) : first(b)));
        for (let a = 0; a < starts.length; a++)
          for (let b = a + 1; b < starts.length; b++) {
            const c = overlap(starts[a], starts[b]);
            if (c !== undefined)
              return `the alternatives of (${n.src}) inside a repeated group overlap: two of them can start with ${show(c)}`;
          }
      }
      for (const b of n.branches) {
        const why = hazard(b, follow);
        if (why) return why;
      }
      return undefined;
    }
    case 'repeat': {
      if (n.max <= 1) {
        if (follow && n.max === 1 && n.min === 0) {
          const c = overlap(first(n.body), follow);
          if (c !== undefined)
            return `the optional ${n.src} inside a repeated group can take ${show(c)}, and so can what follows it`;
        }
        return n.max === 0 ? undefined : hazard(n.body, follow);
      }
      if (follow && n.max > n.min) {
        const c = overlap(first(n.body), follow);
        if (c !== undefined)
          return `nested quantifier: ${n.src} is repeated inside a repeated group, and both can take ${show(c)}`;
      }
      return hazard(n.body, union(first(n.body), follow ?? NONE));
    }
  }
}

/**
 * Why the regular expression `source` can backtrack catastrophically (exponential time on
 * some input), in words for an error message; undefined when it is safe by the rule above.
 * A pattern that does not compile is not judged here.
 */
export function regexHazard(source: string): string | undefined {
  try {
    const parser = new Parser(source);
    const root = parser.parse();
    for (const node of [root, ...parser.lookarounds]) {
      const why = hazard(node, undefined);
      if (why) return why;
    }
    return undefined;
  } catch (err) {
    return `it uses syntax the safety check does not read (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** The refusal for an unsafe pattern: names it and says why. */
export function unsafeRegexMessage(source: string, why: string): string {
  return (
    `the pattern /${source}/ can take exponential time to match (catastrophic backtracking): ${why}; ` +
    'rewrite it so each repeated part can match a text in one way only (e.g. (a+)+ as a+)'
  );
}

const checked = new Map<string, RegExp | undefined>();

/**
 * The compiled pattern, or undefined when it is unsafe or does not compile. For code that
 * runs user patterns (the schema refuses them, but an agent started before the check still
 * carries them). Cached by source and flags; a cached global RegExp has its lastIndex reset.
 */
export function safeRegExp(source: string, flags = ''): RegExp | undefined {
  const key = `${flags}/${source}`;
  if (!checked.has(key)) {
    let re: RegExp | undefined;
    try {
      re = regexHazard(source) === undefined ? new RegExp(source, flags) : undefined;
    } catch {
      re = undefined;
    }
    if (checked.size > 1000) checked.clear();
    checked.set(key, re);
  }
  const re = checked.get(key);
  if (re) re.lastIndex = 0;
  return re;
}
