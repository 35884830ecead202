/** Rendering a swarm for people: its agents live, and its outcome. */
import type { GraphView, SwarmCopies, SwarmOutcome, SwarmWorktrees } from '../domain';
import type { OutputStream } from './io';
import { mergeInWords } from './merge-words';
import { tableLines } from './table';

/** The swarm's headline, then every agent at any depth (subagents indented under their parents). */
export function swarmTable(s: SwarmOutcome): string[] {
  const st = s.stats;
  const rows = everyone(s).map((a) => [
    `${indent(s.id, a.id)}${a.id}`,
    a.name,
    a.collapsed ? `${a.status} (collapsed, score ${a.collapsed.score})` : a.status,
    `${a.tokens.input}/${a.tokens.output}`,
    String(a.toolCalls),
  ]);
  return [
    ...(s.graph ? [...graphTable(s.graph), ''] : []),
    `swarm ${s.id} · ${s.strategy} · ${s.status} · ${st.spawned} agents (${st.completed} done, ${st.failed} failed, ${st.cancelled} cancelled) · ${st.toolCalls} tool calls · ${st.tokens.input}/${st.tokens.output} tokens`,
    ...tableLines(['AGENT', 'NAME', 'STATUS', 'TOKENS IN/OUT', 'TOOLS'], rows),
  ];
}

/** A graph swarm's subtasks, stage by stage: what each waits for, where it stands, which agent runs it. */
export function graphTable(g: GraphView): string[] {
  const rows = [...g.nodes]
    .sort((a, b) => a.stage - b.stage)
    .map((n) => [
      n.id,
      String(n.stage),
      n.status,
      n.dependsOn.join(', ') || '-',
      n.agentId ?? '-',
      n.durationMs === undefined ? '' : `${(n.durationMs / 1000).toFixed(1)}s`,
      n.reason ?? '',
    ]);
  const planned = g.plannedBy ? ` · planned by ${g.plannedBy.agentId} (by ${g.plannedBy.by})` : '';
  return [
    `graph · ${g.nodes.length} subtasks · ${g.maxConcurrent} at once · on failure: ${g.onFailure}${planned}`,
    ...tableLines(['SUBTASK', 'STAGE', 'STATUS', 'NEEDS', 'AGENT', 'TIME', 'WHY'], rows),
  ];
}

export function swarmSummary(s: SwarmOutcome): string {
  const st = s.stats;
  const lines = [
    `${s.status === 'completed' ? '✓' : '✗'} swarm ${s.id} (${s.strategy}) ${s.status}`,
    s.result ? `result:\n${s.result}` : '',
    s.error ? `error:   ${s.error}` : '',
    s.merge ? `merge:   ${mergeInWords(s.merge)}` : '',
    `stats:   wall ${(st.wallTimeMs / 1000).toFixed(1)}s · agent time ${(st.agentTimeMs / 1000).toFixed(1)}s · critical path ${(st.criticalPathMs / 1000).toFixed(1)}s${st.criticalPathSteps === undefined ? '' : ` in ${st.criticalPathSteps} steps`} · speedup ${st.speedup}x`,
    st.cache
      ? `cache:   ${plural(st.cache.hits, 'hit')} (served, not run) · ${plural(st.cache.misses, 'miss')}`
      : '',
    ...s.agents.flatMap((a) =>
      a.collapsed ? [`collapsed: ${a.id} ${a.name}: ${a.collapsed.reason.replace(/^collapsed: /, '')}`] : [],
    ),
    s.worktrees ? worktreesInWords(s.worktrees) : '',
    s.copies ? copiesInWords(s.copies) : '',
    st.stages
      ? `stages:  ${st.stages.map((g) => `${g.name} ${(g.durationMs / 1000).toFixed(1)}s/${g.toolCalls} tools/${g.tokens} tokens`).join(' → ')}`
      : '',
  ];
  return lines.filter(Boolean).join('\n');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;

/** Where an isolated swarm's work is: its branch, and the branches kept aside. */
function worktreesInWords(w: SwarmWorktrees): string {
  const n = w.commitsAhead;
  const ahead = n === undefined ? '' : ` (${n} commit${n === 1 ? '' : 's'})`;
  const lines = [
    `work:    on branch ${w.integrationBranch}${ahead}; take it with: git merge ${w.integrationBranch}`,
  ];
  if (w.dirty) lines.push("         (your uncommitted changes were not in the agents' worktrees)");
  for (const k of w.kept)
    lines.push(
      `kept:    ${k.branch} (${k.agentId}, ${k.landed === 'conflict' ? `conflicts in ${(k.files ?? []).join(', ')}` : 'not merged'})` +
        (k.resolution ? `\n         resolver: ${k.resolution}` : ''),
    );
  return lines.join('\n');
}

/** Where a swarm in copy mode put its work: back in cwd, and the copies kept aside. */
function copiesInWords(c: SwarmCopies): string {
  const lines = [`work:    ${c.copiedBack} file${c.copiedBack === 1 ? '' : 's'} copied back into ${c.cwd}`];
  for (const k of c.kept)
    lines.push(
      `kept:    ${k.copy} (${k.agentId}, ${k.landed === 'conflict' ? `changed in cwd meanwhile: ${(k.files ?? []).join(', ')}` : (k.error ?? 'not copied back')})`,
    );
  return lines.join('\n');
}

/** Every agent at any depth: the swarm's own (authoritative) and those known from their reports. */
function everyone(s: SwarmOutcome): Array<{
  id: string;
  name: string;
  status: string;
  toolCalls: number;
  tokens: { input: number; output: number };
  collapsed?: { score: number; reason: string };
}> {
  const own = s.agents.map((a) => ({
    id: a.id,
    name: a.name,
    status: a.cached ? `${a.status} (cached)` : a.status,
    ...(a.collapsed ? { collapsed: a.collapsed } : {}),
    toolCalls: a.usage.toolCalls,
    tokens: a.usage.tokens,
  }));
  const deeper = s.members
    .filter((m) => !own.some((a) => a.id === m.id))
    .map((m) => ({
      id: m.id,
      name: m.name ?? m.id,
      status: m.status ?? 'running',
      toolCalls: m.toolCalls,
      tokens: m.tokens,
    }));
  return [...own, ...deeper].sort((a, b) => (a.id < b.id ? -1 : 1));
}

const indent = (swarmId: string, id: string) => '  '.repeat(id.slice(swarmId.length).split('.').length - 2);

/** Redraw in place on a terminal; elsewhere print only what changed. */
export function liveRenderer(stream: OutputStream): (s: SwarmOutcome) => void {
  let drawn = 0;
  const seen = new Map<string, string>();
  const out = (text: string) => stream.write(`${text}\n`);
  return (s) => {
    if (stream.isTTY) {
      const lines = swarmTable(s);
      stream.write(`${drawn ? `\x1b[${drawn}A\x1b[J` : ''}${lines.join('\n')}\n`);
      drawn = lines.length;
      return;
    }
    for (const n of s.graph?.nodes ?? []) {
      const key = `subtask ${n.id}`;
      if (seen.get(key) === n.status) continue;
      seen.set(key, n.status);
      out(
        `subtask ${n.id} ${n.status}${n.agentId ? ` (${n.agentId})` : ''}${n.reason ? `: ${n.reason}` : ''}`,
      );
    }
    for (const a of everyone(s)) {
      const state = a.collapsed ? `${a.status} ${a.collapsed.reason}` : a.status;
      if (seen.get(a.id) === state) continue;
      seen.set(a.id, state);
      const done = a.status === 'completed' || a.status === 'failed' || a.status === 'cancelled';
      const work = done ? ` · ${a.toolCalls} tools · ${a.tokens.input}/${a.tokens.output} tokens` : '';
      const why = a.collapsed ? ` · ${a.collapsed.reason}` : '';
      out(`${indent(s.id, a.id)}${a.id} ${a.name} ${a.status}${work}${why}`);
    }
  };
}
