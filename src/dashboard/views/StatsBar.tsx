/**
 * Counts and totals over every agent the page knows: active, waiting, failed; tokens, cost;
 * calls per minute; and how the page hears of changes (websocket, sse, polling).
 */
import { useMemo } from 'react';
import { useNow } from '../now';
import { tokens, usd } from '../format';
import { useDash } from '../store';

export function StatsBar() {
  const agents = useDash((s) => s.agents);
  const approvals = useDash((s) => s.approvals.length);
  const recent = useDash((s) => s.recentCalls);
  const feed = useDash((s) => s.feed);
  const now = useNow(5000);
  const stats = useMemo(() => {
    const s = { active: 0, waiting: 0, paused: 0, failed: 0, tokens: 0, unread: 0, cost: 0 };
    for (const a of Object.values(agents)) {
      if (a.status === 'running' || a.status === 'idle') s.active++;
      else if (a.status === 'waiting_for_input') s.waiting++;
      else if (a.status === 'paused') s.paused++;
      else if (a.status === 'failed') s.failed++;
      if (a.tokens) s.tokens += a.tokens.input + a.tokens.output;
      else s.unread++;
      s.cost += a.costUsd ?? 0;
    }
    return s;
  }, [agents]);
  const perMinute = recent.filter((t) => now - t < 60_000).length;
  return (
    <div className="stats" data-testid="stats">
      <Stat label="active" value={stats.active} />
      <Stat label="waiting" value={stats.waiting} warn={stats.waiting > 0} />
      <Stat label="paused" value={stats.paused} />
      <Stat label="failed" value={stats.failed} bad={stats.failed > 0} />
      <Stat label="approvals" value={approvals} warn={approvals > 0} />
      <Stat
        label="tokens"
        // Tokens come from each agent's own view: until every row is read, the sum is a floor.
        value={`${stats.unread ? '≥' : ''}${tokens(stats.tokens)}`}
        title={stats.unread ? `${stats.unread} agents not read yet` : undefined}
      />
      <Stat label="cost" value={usd(stats.cost)} />
      <Stat label="calls/min" value={perMinute} />
      <span className={`feed feed-${feed}`} title="How the page hears of changes" data-testid="feed">
        {feed}
      </span>
    </div>
  );
}

function Stat({
  label,
  value,
  warn,
  bad,
  title,
}: {
  label: string;
  value: string | number;
  warn?: boolean;
  bad?: boolean;
  title?: string;
}) {
  return (
    <span className={`stat${warn ? ' warn' : ''}${bad ? ' bad' : ''}`} data-stat={label} title={title}>
      <b>{value}</b> {label}
    </span>
  );
}
