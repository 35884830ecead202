/** The dashboard's frame: the header (stats, feed, New agent), the tabs, and the view of the tab. */
import { useEffect, useState } from 'react';
import { connectFeed } from './feed';
import { useDash } from './store';
import { AgentDetail } from './views/AgentDetail';
import { AgentList } from './views/AgentList';
import { NewAgent } from './views/NewAgent';
import { SceneView } from './views/Scene';
import { Sessions } from './views/Sessions';
import { StatsBar } from './views/StatsBar';
import { Swarms } from './views/Swarms';
import { ZoneManager } from './views/ZoneManager';

const TABS = ['agents', '3d', 'swarms', 'sessions', 'zones'] as const;
type Tab = (typeof TABS)[number];

/** The tab and the agent open, from the address's hash (`#3d/<agent id>`): a reload comes back to them. */
function place(): { tab: Tab; selected?: string } {
  try {
    const [tab, id] = location.hash.slice(1).split('/').map(decodeURIComponent);
    return {
      tab: (TABS as readonly string[]).includes(tab) ? (tab as Tab) : 'agents',
      selected: id || undefined,
    };
  } catch {
    return { tab: 'agents' }; // not an address this page wrote (`%` alone): the first tab
  }
}

export function Dashboard({ user, onSignOut }: { user?: string; onSignOut?: () => void }) {
  const [tab, setTab] = useState<Tab>(() => place().tab);
  const [selected, setSelected] = useState<string | undefined>(() => place().selected);
  useEffect(() => {
    const hash = `#${tab}${selected ? `/${encodeURIComponent(selected)}` : ''}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }, [tab, selected]);
  useEffect(() => {
    // Another address pasted into this tab: go there.
    const follow = () => {
      const to = place();
      setTab(to.tab);
      setSelected(to.selected);
    };
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const close = () => setSelected(undefined);
  const [creating, setCreating] = useState(false);
  const errors = useDash((s) => s.errors);
  useEffect(() => connectFeed(), []);
  const open = (id: string) => {
    setSelected(id);
    setTab('agents');
  };
  return (
    <div className="app">
      <header>
        <h1>Orchestra</h1>
        <StatsBar />
        {user && <span className="user">{user}</span>}
        {onSignOut && <button onClick={onSignOut}>Sign out</button>}
        <button className="primary" onClick={() => setCreating(true)}>
          New agent
        </button>
      </header>
      {Object.entries(errors).map(([what, why]) => (
        <div className="banner" key={what} role="alert">
          could not read {what}: {why}
        </div>
      ))}
      <nav>
        {TABS.map((t) => (
          <button key={t} className={t === tab ? 'tab on' : 'tab'} onClick={() => setTab(t)}>
            {t}
          </button>
        ))}
      </nav>
      {creating && (
        <NewAgent
          onClose={() => setCreating(false)}
          onStarted={(id) => {
            setCreating(false);
            open(id);
          }}
        />
      )}
      <main>
        {tab === 'agents' && (
          <>
            <AgentList selected={selected} onSelect={setSelected} />
            {selected && <AgentDetail key={selected} id={selected} onSelect={setSelected} onClose={close} />}
          </>
        )}
        {tab === '3d' && <SceneView selected={selected} onSelect={setSelected} onClose={close} />}
        {tab === 'swarms' && <Swarms onAgent={open} />}
        {tab === 'sessions' && <Sessions onAgent={open} />}
        {tab === 'zones' && <ZoneManager />}
      </main>
    </div>
  );
}
