/** The conversation as it happens: the task, messages both ways, the model's reply as it is written; a box to send a message. */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api';
import type { AgentStory } from '../agent-stream';
import { command } from '../feed';
import { clip, json } from '../format';

export function ChatPanel({ id, story, live }: { id: string; story: AgentStory; live: boolean }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const end = useRef<HTMLDivElement>(null);
  const lines = story.events.filter((e) => ['message', 'task', 'tool_call', 'status'].includes(e.type));
  useEffect(() => {
    // Chromium's scrollIntoView answers a promise now: not a cleanup to hand React.
    void end.current?.scrollIntoView({ block: 'end' });
  }, [lines.length, story.writing?.text]);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    try {
      const content = text.trim();
      await command({ type: 'send_message', agentId: id, content }, () =>
        api('POST', `/agents/${encodeURIComponent(id)}/message`, { content }),
      );
      setText('');
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className="chat" data-testid="chat">
      <div className="lines">
        {lines.map((e) => {
          if (e.type === 'task')
            return (
              <div key={e.seq} className="msg task">
                <b>task</b> {String(e.task)}
              </div>
            );
          if (e.type === 'status')
            return (
              <div key={e.seq} className="msg status">
                {String(e.from)} → {String(e.to)}
                {e.reason ? ` (${String(e.reason)})` : ''}
              </div>
            );
          if (e.type === 'tool_call')
            return (
              <div key={e.seq} className="msg tool">
                ⚙ {String(e.tool)} {clip(json(e.input).replace(/\s+/g, ' '), 100)}
              </div>
            );
          return (
            <div key={e.seq} className={`msg ${String(e.role)}`} data-role={String(e.role)}>
              {e.from ? <b>{String(e.from)}: </b> : null}
              {String(e.text)}
            </div>
          );
        })}
        {story.writing && (
          <div className="msg assistant writing" data-testid="writing">
            {story.writing.text}
            <span className="caret">▍</span>
          </div>
        )}
        <div ref={end} />
      </div>
      <form className="send" onSubmit={(e) => void send(e)}>
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={
            live ? 'Message the agent (delivered at its next step; Ctrl+Enter sends)' : 'The agent has ended'
          }
          disabled={!live}
          aria-label="message"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) void send(e);
          }}
        />
        <button className="primary" disabled={!live || !text.trim()}>
          Send
        </button>
      </form>
      {error && <div className="error">{error}</div>}
    </div>
  );
}
