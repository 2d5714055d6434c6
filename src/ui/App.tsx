// The page: header, banners, the config panels on the side and the views (training charts,
// attention, translate, compare) in tabs.

import { startTransition, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Header } from './panels/header';
import { FallbackBanner, Notices, PendingChanges } from './panels/banners';
import { DataPanel } from './panels/data-panel';
import { ModelPanel } from './panels/model-panel';
import { OptimPanel } from './panels/optim-panel';
import { ClipPanel } from './panels/clip-panel';
import { Tabs, type TabDef } from './panels/tabs';
import { TrainingView } from './panels/training-view';
import { AttentionPanel } from './panels/attention-panel';
import { TranslatePanel } from './panels/translate-panel';
import { ComparePanel } from './panels/compare-panel';
import { LessonsPanel } from './panels/lessons-panel';

export const VIEWS = ['training', 'attention', 'translate', 'compare'] as const;
export type View = (typeof VIEWS)[number];

function initialView(): View {
  const v = new URLSearchParams(location.search).get('view');
  return (VIEWS as readonly string[]).includes(v ?? '') ? (v as View) : 'training';
}

export function App() {
  const { t } = useTranslation();
  const [view, setView] = useState<View>(initialView);
  const changeView = (id: string) => {
    // A transition: the new view renders in slices instead of one long task.
    startTransition(() => setView(id as View));
    const url = new URL(location.href);
    url.searchParams.set('view', id);
    history.replaceState(history.state, '', url);
  };
  const tabs: TabDef[] = [
    { id: 'training', label: t('views.training'), render: () => <TrainingView /> },
    { id: 'attention', label: t('views.attention'), render: () => <AttentionPanel /> },
    { id: 'translate', label: t('views.translate'), render: () => <TranslatePanel /> },
    { id: 'compare', label: t('views.compare'), render: () => <ComparePanel /> },
  ];
  return (
    <>
      <a className="skip-link" href="#views">
        {t('app.skip')}
      </a>
      <Header />
      <FallbackBanner />
      <Notices />
      <div className="layout">
        <aside className="config" aria-label={t('app.configuration')}>
          <PendingChanges />
          <LessonsPanel onView={changeView} />
          <DataPanel />
          <ModelPanel />
          <OptimPanel />
          <ClipPanel />
        </aside>
        <main id="views" tabIndex={-1}>
          <Tabs tabs={tabs} current={view} onChange={changeView} label={t('views.label')} />
        </main>
      </div>
      <footer className="app-footer">{t('app.footer')}</footer>
    </>
  );
}
