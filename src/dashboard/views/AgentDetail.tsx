/** The selected agent: its card, its conversation, its tool calls. Reads its view and follows its stream. */
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { useAgentStory } from '../agent-stream';
import { applyView } from '../views-read';
import { isLive, type AgentView } from '../types';
import { AgentCard } from './AgentCard';
import { ChatPanel } from './ChatPanel';
import { ToolLog } from './ToolLog';

export function AgentDetail(props: { id: string; onSelect: (id: string) => void; onClose: () => void }) {
  const { id, onSelect, onClose } = props;
  const story = useAgentStory(id);
  const [view, setView] = useState<AgentView>();
  const [tab, setTab] = useState<'chat' | 'tools'>('chat');
  const refresh = useCallback(async () => {
    try {
      const v = await api<AgentView>('GET', `/agents/${encodeURIComponent(id)}`);
      setView(v);
      applyView(v);
    } catch {
      // shown as it was; the next refresh tries again
    }
  }, [id]);
  // Read again as its story moves, and every 2 s while it lives.
  useEffect(() => {
    void refresh();
  }, [refresh, story.events.length, story.ended]);
  const live = view ? isLive(view.status) : true;
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => void refresh(), 2000);
    return () => clearInterval(t);
  }, [refresh, live]);
  const calls = story.events.filter((e) => e.type === 'tool_call').length;
  return (
    <aside className="detail" data-testid="agent-detail">
      <AgentCard id={id} view={view} onChanged={refresh} onSelect={onSelect} />
      <div className="subtabs">
        <button className={tab === 'chat' ? 'tab on' : 'tab'} onClick={() => setTab('chat')}>
          chat
        </button>
        <button className={tab === 'tools' ? 'tab on' : 'tab'} onClick={() => setTab('tools')}>
          tools ({calls}){view?.pendingApprovals?.length ? ` · ${view.pendingApprovals.length} waiting` : ''}
        </button>
        <span className={story.connected ? 'live on' : 'live'}>
          {story.ended ? 'ended' : story.connected ? 'live' : '…'}
        </span>
        <button className="close" onClick={onClose} aria-label="close" title="close">
          ×
        </button>
      </div>
      {tab === 'chat' ? (
        <ChatPanel id={id} story={story} live={live} />
      ) : (
        <ToolLog id={id} story={story} pending={view?.pendingApprovals ?? []} onAnswered={refresh} />
      )}
    </aside>
  );
}
