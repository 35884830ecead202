/**
 * Regular expressions read into a small tree, for regex-safety.ts: character sets as ranges of
 * UTF-16 code units, groups, alternatives and repetitions. Pure: importable by workflows.
 */
/** Character sets as sorted, disjoint UTF-16 code unit ranges (patterns run without the u flag). */
export type Ranges = ReadonlyArray<readonly [number, number]>;

const MAX_UNIT = 0xffff;
export const ALL: Ranges = [[0, MAX_UNIT]];
export const NONE: Ranges = [];
const DIGIT: Ranges = [[0x30, 0x39]];
const WORD: Ranges = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: Ranges = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
const NEWLINES: Ranges = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];

export function union(...sets: Ranges[]): Ranges {
  const all = sets.flat().sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of all) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(set: Ranges): Ranges {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of union(set)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_UNIT) out.push([next, MAX_UNIT]);
  return out;
}

export function overlap(a: Ranges, b: Ranges): number | undefined {
  for (const [alo, ahi] of a)
    for (const [blo, bhi] of b) if (alo <= bhi && blo <= ahi) return Math.max(alo, blo);
  return undefined;
}

/** Letters in both cases, for an inline `(?i:...)` group. */
function caseFold(set: Ranges): Ranges {
  const extra: Array<[number, number]> = [];
  for (const [lo, hi] of set) {
    for (const [from, to] of [
      [0x41, 0x61],
      [0x61, 0x41],
    ] as const) {
      const l = Math.max(lo, from);
      const h = Math.min(hi, from + 25);
      if (l <= h) extra.push([l - from + to, h - from + to]);
    }
  }
  return union(set, extra);
}

export type Node =
  | { kind: 'set'; set: Ranges }
  | { kind: 'empty' }
  | { kind: 'backref'; src: string }
  | { kind: 'alt'; branches: Node[]; src: string }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'repeat'; min: number; max: number; body: Node; src: string }
  | { kind: 'look'; body: Node };

export class Parser {
  private i = 0;
  /** Lookaround bodies, checked on their own: each runs as a match of its own. */
  readonly lookarounds: Node[] = [];
  constructor(private readonly s: string) {}

  parse(): Node {
    const node = this.alternation(false);
    if (this.i < this.s.length) throw new SyntaxError(`unexpected "${this.s[this.i]}"`);
    return node;
  }

  private alternation(fold: boolean): Node {
    const start = this.i;
    const branches = [this.sequence(fold)];
    while (this.s[this.i] === '|') {
      this.i += 1;
      branches.push(this.sequence(fold));
    }
    return branches.length === 1 ? branches[0] : { kind: 'alt', branches, src: this.s.slice(start, this.i) };
  }

  private sequence(fold: boolean): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const start = this.i;
      const atom = this.atom(fold);
      items.push(this.quantified(atom, start));
    }
    return { kind: 'seq', items };
  }

  private quantified(atom: Node, start: number): Node {
    const c = this.s[this.i];
    let bounds: [number, number] | undefined;
    if (c === '*') bounds = [0, Infinity];
    else if (c === '+') bounds = [1, Infinity];
    else if (c === '?') bounds = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
      if (m) {
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        bounds = [min, max];
        this.i += m[0].length - 1;
      }
    }
    if (!bounds) return atom;
    this.i += 1;
    if (this.s[this.i] === '?') this.i += 1; // lazy: the same choices, tried in another order
    const node: Node = { kind: 'repeat', min: bounds[0], max: bounds[1], body: atom, src: '' };
    node.src = this.s.slice(start, this.i);
    return this.quantified(node, start);
  }

  private atom(fold: boolean): Node {
    const c = this.s[this.i];
    const set = (r: Ranges): Node => ({ kind: 'set', set: fold ? caseFold(r) : r });
    switch (c) {
      case '(':
        return this.group(fold);
      case '[':
        return set(this.charClass());
      case '.':
        this.i += 1;
        return set(complement(NEWLINES));
      case '^':
      case '$':
        this.i += 1;
        return { kind: 'empty' };
      case '\\':
        return this.escape(fold);
      default:
        this.i += 1;
        return set([[c.charCodeAt(0), c.charCodeAt(0)]]);
    }
  }

  private group(fold: boolean): Node {
    const rest = this.s.slice(this.i);
    const look = /^\(\?(=|!|<=|<!)/.exec(rest);
    const modifiers = /^\(\?([a-z]*)(?:-([a-z]*))?:/.exec(rest);
    const named = /^\(\?<[A-Za-z_$][\w$]*>/.exec(rest);
    const open = look?.[0] ?? modifiers?.[0] ?? named?.[0] ?? '(';
    this.i += open.length;
    const inner = this.alternation(fold || Boolean(modifiers?.[1]?.includes('i')));
    if (this.s[this.i] !== ')') throw new SyntaxError('unterminated group');
    this.i += 1;
    if (!look) return inner;
    this.lookarounds.push(inner);
    return { kind: 'look', body: inner };
  }

  private escape(fold: boolean): Node {
    const start = this.i;
    const c = this.s[this.i + 1] ?? '';
    this.i += 2;
    const set = (r: Ranges): Node => ({ kind: 'set', set: fold ? caseFold(r) : r });
    const classes: Record<string, Ranges> = {
      d: DIGIT,
      D: complement(DIGIT),
      w: WORD,
      W: complement(WORD),
      s: SPACE,
      S: complement(SPACE),
    };
    if (classes[c]) return set(classes[c]);
    if (c === 'b' || c === 'B') return { kind: 'empty' };
    if (/[1-9]/.test(c)) {
      while (/\d/.test(this.s[this.i] ?? '')) this.i += 1;
      return { kind: 'backref', src: this.s.slice(start, this.i) };
    }
    if (c === 'k' && this.s[this.i] === '<') {
      this.i = this.s.indexOf('>', this.i) + 1 || this.s.length;
      return { kind: 'backref', src: this.s.slice(start, this.i) };
    }
    return set([[this.escapedUnit(c), this.escapedUnit(c)]]);
  }

  /** The code unit of a single-character escape whose letter has just been read. */
  private escapedUnit(c: string): number {
    const hex = (n: number): number | undefined => {
      const h = this.s.slice(this.i, this.i + n);
      if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(h)) return undefined;
      this.i += n;
      return parseInt(h, 16);
    };
    const simple: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13, '0': 0 };
    if (c in simple) return simple[c];
    if (c === 'x') return hex(2) ?? 0x78;
    if (c === 'u') return hex(4) ?? 0x75;
    if (c === 'c' && /[A-Za-z]/.test(this.s[this.i] ?? '')) {
      this.i += 1;
      return this.s.charCodeAt(this.i - 1) % 32;
    }
    return c.charCodeAt(0);
  }

  /** `[...]`, `[^...]`: the set it matches (every class escape included). */
  private charClass(): Ranges {
    this.i += 1;
    const negated = this.s[this.i] === '^';
    if (negated) this.i += 1;
    const parts: Ranges[] = [];
    const unit = (): { set?: Ranges; unit?: number } => {
      const c = this.s[this.i];
      if (c !== '\\') {
        this.i += 1;
        return { unit: c.charCodeAt(0) };
      }
      const e = this.s[this.i + 1] ?? '';
      this.i += 2;
      const classes: Record<string, Ranges> = {
        d: DIGIT,
        D: complement(DIGIT),
        w: WORD,
        W: complement(WORD),
        s: SPACE,
        S: complement(SPACE),
      };
      if (classes[e]) return { set: classes[e] };
      if (e === 'b') return { unit: 8 };
      return { unit: this.escapedUnit(e) };
    };
    while (this.i < this.s.length && this.s[this.i] !== ']') {
      const from = unit();
      if (from.set) {
        parts.push(from.set);
        continue;
      }
      if (this.s[this.i] === '-' && this.s[this.i + 1] !== ']' && this.i + 1 < this.s.length) {
        this.i += 1;
        const to = unit();
        if (to.set) parts.push([[from.unit!, from.unit!]], [[0x2d, 0x2d]], to.set);
        else parts.push([[Math.min(from.unit!, to.unit!), Math.max(from.unit!, to.unit!)]]);
      } else parts.push([[from.unit!, from.unit!]]);
    }
    if (this.s[this.i] !== ']') throw new SyntaxError('unterminated character class');
    this.i += 1;
    const set = union(...parts);
    return negated ? complement(set) : set;
  }
}
