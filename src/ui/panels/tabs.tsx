// The main area's views as an ARIA tab list (arrow keys, Home and End move between tabs); the
// chosen view is in the URL (?view=). A view stays mounted once shown and is only hidden when
// another is chosen: mounting the charts again would be one long task, and a hidden view keeps
// its size so its charts are not re-laid out. Hidden views are inert and skip their updates
// (ViewActive is false).

import { createContext, useContext, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface TabDef {
  id: string;
  label: string;
  render: () => ReactNode;
}

export const ViewActive = createContext(true);

/** False inside a view that is mounted but not shown. */
export function useViewActive(): boolean {
  return useContext(ViewActive);
}

export function Tabs({ tabs, current, onChange, label }: { tabs: readonly TabDef[]; current: string; onChange: (id: string) => void; label: string }) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const index = Math.max(0, tabs.findIndex((t) => t.id === current));
  const active = tabs[index];
  const [visited, setVisited] = useState<string[]>([active.id]);
  if (!visited.includes(active.id)) setVisited([...visited, active.id]);
  const onKey = (e: KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: tabs.length - 1 - index };
    const d = moves[e.key];
    if (d === undefined) return;
    e.preventDefault();
    const next = (index + d + tabs.length) % tabs.length;
    onChange(tabs[next].id);
    refs.current[next]?.focus();
  };
  return (
    <div className="tabs">
      <div role="tablist" aria-label={label} onKeyDown={onKey}>
        {tabs.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            role="tab"
            type="button"
            id={`tab-${t.id}`}
            aria-selected={i === index}
            aria-controls={`tabpanel-${t.id}`}
            tabIndex={i === index ? 0 : -1}
            onClick={() => onChange(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="tab-panels">
        {tabs
          .filter((t) => visited.includes(t.id))
          .map((t) => {
            const shown = t.id === active.id;
            return (
              <div
                key={t.id}
                role="tabpanel"
                id={`tabpanel-${t.id}`}
                aria-labelledby={`tab-${t.id}`}
                className={shown ? 'tab-panel' : 'tab-panel tab-panel-hidden'}
                inert={!shown}
                aria-hidden={!shown || undefined}
              >
                <ViewActive.Provider value={shown}>{t.render()}</ViewActive.Provider>
              </div>
            );
          })}
      </div>
    </div>
  );
}
