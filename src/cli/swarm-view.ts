/** Rendering a swarm for people: its agents live, and its outcome. */
import type { SwarmOutcome } from '../domain';

export function swarmTable(s: SwarmOutcome): string[] {
  const rows = [['AGENT', 'ROLE', 'STATUS', 'TOKENS IN/OUT', 'TOOLS', 'AGENTS']];
  for (const a of s.agents) {
    rows.push([
      a.id,
      `${a.name}${a.name === a.role ? '' : ` (${a.role})`}`,
      a.status,
      `${a.usage.tokens.input}/${a.usage.tokens.output}`,
      String(a.usage.toolCalls),
      String(a.usage.agents || 1),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const st = s.stats;
  return [
    `swarm ${s.id} · ${s.strategy} · ${s.status} · ${st.spawned} agents (${st.completed} done, ${st.failed} failed, ${st.cancelled} cancelled) · ${st.toolCalls} tool calls · ${st.tokens.input}/${st.tokens.output} tokens`,
    ...rows.map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    ),
  ];
}

export function swarmSummary(s: SwarmOutcome): string {
  const st = s.stats;
  const lines = [
    `${s.status === 'completed' ? '✓' : '✗'} swarm ${s.id} (${s.strategy}) ${s.status}`,
    s.result ? `result:\n${s.result}` : '',
    s.error ? `error:   ${s.error}` : '',
    s.merge
      ? `merge:   ${JSON.stringify(s.merge, (k, v) => (k === 'rounds' || k === 'outputs' || k === 'results' ? undefined : v))}`
      : '',
    `stats:   wall ${(st.wallTimeMs / 1000).toFixed(1)}s · agent time ${(st.agentTimeMs / 1000).toFixed(1)}s · critical path ${(st.criticalPathMs / 1000).toFixed(1)}s · speedup ${st.speedup}x`,
    st.stages
      ? `stages:  ${st.stages.map((g) => `${g.name} ${(g.durationMs / 1000).toFixed(1)}s/${g.toolCalls} tools/${g.tokens} tokens`).join(' → ')}`
      : '',
  ];
  return lines.filter(Boolean).join('\n');
}

/** Redraw in place on a terminal; elsewhere print only what changed. */
export function liveRenderer(out: (text: string) => void, tty: boolean): (s: SwarmOutcome) => void {
  let drawn = 0;
  const seen = new Map<string, string>();
  return (s) => {
    if (tty) {
      const lines = swarmTable(s);
      process.stdout.write(`${drawn ? `\x1b[${drawn}A\x1b[J` : ''}${lines.join('\n')}\n`);
      drawn = lines.length;
      return;
    }
    for (const a of s.agents) {
      if (seen.get(a.id) === a.status) continue;
      seen.set(a.id, a.status);
      out(
        `${a.id} ${a.name} ${a.status}${a.endedAt ? ` · ${a.usage.toolCalls} tools · ${a.usage.tokens.input}/${a.usage.tokens.output} tokens` : ''}`,
      );
    }
  };
}
