/**
 * Hooks (the seed's HookManager): small functions run at fixed points of an agent's life,
 * in priority order (lower first, then in the order they were added). They run inside the
 * workflow, so they must be deterministic: the workflow decides, activities do the I/O.
 *
 * - `session.created | idle | error | recovered`: may queue a message to the agent or note an event.
 * - `tool.before`: continue, block the call with a message, or modify its arguments.
 * - `tool.after`: continue, or modify (truncate, rewrite) the output the model sees.
 * - `context.inject`: add text to the system prompt.
 */
import { type HookEvent, type HookRule, type HookSettings, type SessionEvent } from './hook-settings';
import { safeRegExp } from './regex-safety';
import { redactSecrets } from './secrets';
import type { TodoItem } from './tools';

export interface HookAgent {
  id: string;
  name: string;
  /** The session's directives and findings, when the agent works in one. */
  sessionContext?: string;
}

export interface ToolBeforeContext {
  agent: HookAgent;
  tool: string;
  args: Record<string, unknown>;
}
export type ToolBeforeResult =
  | { action: 'continue' }
  | { action: 'block'; message: string }
  | { action: 'modify'; args: Record<string, unknown> };

export interface ToolAfterContext {
  agent: HookAgent;
  tool: string;
  args: Record<string, unknown>;
  ok: boolean;
  output: string;
}
export type ToolAfterResult = { action: 'continue' } | { action: 'modify'; output: string };

export interface ContextFile {
  name: string;
  content: string;
}
export interface ContextInjectContext {
  agent: HookAgent;
  /** AGENTS.md and README.md of the working directory, as read at the agent's start. */
  files: ContextFile[];
}
export type ContextInjectResult = { text?: string };

export interface SessionContext {
  agent: HookAgent;
  event: SessionEvent;
  todos: TodoItem[];
  result?: string;
  error?: string;
  /** How many times this turn has already been sent back by a session.idle hook. */
  sentBack: number;
}
export type SessionResult = { message?: string; note?: string };

interface HookMap {
  'tool.before': [ToolBeforeContext, ToolBeforeResult];
  'tool.after': [ToolAfterContext, ToolAfterResult];
  'context.inject': [ContextInjectContext, ContextInjectResult];
  'session.created': [SessionContext, SessionResult];
  'session.idle': [SessionContext, SessionResult];
  'session.error': [SessionContext, SessionResult];
  'session.recovered': [SessionContext, SessionResult];
}

export interface Hook<E extends HookEvent = HookEvent> {
  name: string;
  on: E;
  /** Lower runs first. @default 100 */
  priority?: number;
  run(ctx: HookMap[E][0]): HookMap[E][1];
}

/** What the hooks made of a tool call before it runs. */
export interface BeforeOutcome {
  args: Record<string, unknown>;
  blocked?: { by: string; message: string };
  modifiedBy: string[];
}

export class HookManager {
  private readonly hooks: Hook[] = [];

  use<E extends HookEvent>(hook: Hook<E>): this {
    this.hooks.push(hook as unknown as Hook);
    return this;
  }

  /** The hooks for an event, in the order they run. */
  for<E extends HookEvent>(on: E): Array<Hook<E>> {
    return this.hooks
      .map((h, i) => ({ h, i }))
      .filter(({ h }) => h.on === on)
      .sort((a, b) => (a.h.priority ?? 100) - (b.h.priority ?? 100) || a.i - b.i)
      .map(({ h }) => h as unknown as Hook<E>);
  }

  toolBefore(ctx: ToolBeforeContext): BeforeOutcome {
    let args = ctx.args;
    const modifiedBy: string[] = [];
    for (const hook of this.for('tool.before')) {
      const r = hook.run({ ...ctx, args });
      if (r.action === 'block') return { args, blocked: { by: hook.name, message: r.message }, modifiedBy };
      if (r.action === 'modify') {
        args = r.args;
        modifiedBy.push(hook.name);
      }
    }
    return { args, modifiedBy };
  }

  toolAfter(ctx: ToolAfterContext): { output: string; modifiedBy: string[] } {
    let output = ctx.output;
    const modifiedBy: string[] = [];
    for (const hook of this.for('tool.after')) {
      const r = hook.run({ ...ctx, output });
      if (r.action === 'modify' && r.output !== output) {
        output = r.output;
        modifiedBy.push(hook.name);
      }
    }
    return { output, modifiedBy };
  }

  inject(ctx: ContextInjectContext): string[] {
    return this.for('context.inject')
      .map((h) => h.run(ctx).text)
      .filter((t): t is string => Boolean(t));
  }

  session(ctx: SessionContext): Array<SessionResult & { hook: string }> {
    return this.for(ctx.event)
      .map((h) => ({ ...h.run(ctx), hook: h.name }))
      .filter((r) => r.message !== undefined || r.note !== undefined);
  }
}

// ---- user hooks: declarative rules, validated, carried in the agent's config ----

/** Built-in priorities: context first; truncation, then redaction, last on outputs. */
export const BUILTIN_PRIORITY = { contextFiles: 10, session: 20, truncate: 900, redact: 1000, todo: 100 };

/** The hooks an agent runs with: the built-ins its settings keep, then its rules. */
export function buildHooks(settings: HookSettings): HookManager {
  const hooks = new HookManager();
  if (settings.contextFiles) {
    hooks.use({
      name: 'context-files',
      on: 'context.inject',
      priority: BUILTIN_PRIORITY.contextFiles,
      run: ({ files }) => ({
        text: files.map((f) => `Project notes from ${f.name}:\n${f.content}`).join('\n\n') || undefined,
      }),
    });
  }
  hooks.use({
    name: 'session-context',
    on: 'context.inject',
    priority: BUILTIN_PRIORITY.session,
    run: ({ agent }) => ({ text: agent.sessionContext }),
  });
  hooks.use({
    name: 'truncate-output',
    on: 'tool.after',
    priority: BUILTIN_PRIORITY.truncate,
    run: ({ output }) =>
      output.length <= settings.truncateOutputChars
        ? { action: 'continue' }
        : { action: 'modify', output: truncate(output, settings.truncateOutputChars) },
  });
  if (settings.redactSecrets) {
    hooks.use({
      name: 'redact-secrets',
      on: 'tool.after',
      priority: BUILTIN_PRIORITY.redact,
      run: ({ output }) => {
        const r = redactSecrets(output, settings.secretPatterns);
        return r.count ? { action: 'modify', output: r.text } : { action: 'continue' };
      },
    });
  }
  if (settings.todoCheck) {
    hooks.use({
      name: 'todo-check',
      on: 'session.idle',
      priority: BUILTIN_PRIORITY.todo,
      run: ({ todos, sentBack }) => {
        const open = todos.filter((t) => t.status !== 'completed');
        if (open.length === 0 || sentBack > 0) return {};
        return {
          message:
            `You ended your turn with ${open.length} open todo(s):\n` +
            `${open.map((t) => `- [${t.status}] ${t.content}`).join('\n')}\n` +
            'Finish them, or mark them completed and say why they are left.',
          note: `sent back: ${open.length} open todo(s)`,
        };
      },
    });
  }
  for (const rule of settings.rules) hooks.use(ruleHook(rule));
  return hooks;
}

function truncate(text: string, max: number): string {
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n… [${text.length - max} chars cut by the truncate-output hook] …\n${text.slice(-half)}`;
}

/**
 * The most of a call a rule's `match` reads: the bash command, or the arguments as JSON.
 * Past it a blocking rule blocks (padding must not slip a call past it) and any other rule
 * reads the start only, so a pattern that backtracks polynomially stays fast.
 */
export const MAX_MATCHED_CHARS = 16_384;

/** Whether a rule applies to a call; `failClosed` for rules that block. */
function matches(
  rule: { tool?: string; match?: string },
  tool: string,
  args: Record<string, unknown>,
  failClosed = false,
): boolean {
  if (rule.tool && rule.tool !== tool) return false;
  if (!rule.match) return true;
  const subject = typeof args.command === 'string' ? args.command : (JSON.stringify(args) ?? '');
  if (subject.length > MAX_MATCHED_CHARS && failClosed) return true;
  // An unsafe pattern (only in an agent started before patterns were checked) is never run.
  const re = safeRegExp(rule.match);
  if (!re) return failClosed;
  return re.test(subject.slice(0, MAX_MATCHED_CHARS));
}

/** A user's rule as a hook. */
export function ruleHook(rule: HookRule): Hook {
  const base = { name: rule.name, priority: rule.priority };
  switch (rule.on) {
    case 'tool.before':
      return {
        ...base,
        on: 'tool.before',
        run: ({ tool, args }: ToolBeforeContext): ToolBeforeResult => {
          if (!matches(rule, tool, args, rule.block !== undefined)) return { action: 'continue' };
          if (rule.block) return { action: 'block', message: rule.block };
          return { action: 'modify', args: { ...args, ...rule.set } };
        },
      } as Hook;
    case 'tool.after':
      return {
        ...base,
        on: 'tool.after',
        run: ({ tool, args, output }: ToolAfterContext): ToolAfterResult => {
          if (!matches(rule, tool, args)) return { action: 'continue' };
          const pattern = rule.replace && safeRegExp(rule.replace.pattern, 'g');
          let out = rule.replace && pattern ? output.replace(pattern, rule.replace.with) : output;
          if (rule.maxChars && out.length > rule.maxChars) out = truncate(out, rule.maxChars);
          return { action: 'modify', output: out };
        },
      } as Hook;
    case 'context.inject':
      return { ...base, on: 'context.inject', run: () => ({ text: rule.text }) } as Hook;
    default:
      return {
        ...base,
        on: rule.on,
        run: (ctx: SessionContext): SessionResult =>
          // An idle rule sends the agent back once per turn, or it would never end.
          rule.on === 'session.idle' && ctx.sentBack > 0 ? {} : { message: rule.message, note: rule.note },
      } as Hook;
  }
}
