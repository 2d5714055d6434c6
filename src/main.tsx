// Entry point: language, config from the URL, the controller (worker + persistence), the React
// tree, and the URL kept in step with the config.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './ui/styles.css';
import { App } from './ui/App';
import { PlaygroundContext } from './ui/app-context';
import { Playground, sessionShownStep } from './ui/controller';
import { initI18n } from './ui/i18n';
import { isConfigKey, searchFor, useConfig } from './ui/store/config-store';
import * as persistence from './ui/store/persistence';
import { claimTabRun } from './ui/store/tab-identity';
import { spawnTrainingWorker } from './ui/worker-client';
import { installDebugHandle } from './ui/debug';

initI18n();

const params = new URLSearchParams(location.search);
useConfig.getState().loadSearch(location.search);
const backendParam = params.get('backend');

const playground = new Playground({
  spawn: spawnTrainingWorker,
  storage: persistence.available() ? persistence : null,
  claim: claimTabRun,
  backend: backendParam === 'cpu' || backendParam === 'wasm' || backendParam === 'webgpu' ? backendParam : undefined,
  urlHasConfig: [...params.keys()].some(isConfigKey),
  shownStep: sessionShownStep,
});

// The URL shows the applied config (only fields that differ from the defaults).
const writeUrl = () => {
  const search = searchFor(useConfig.getState().config, location.search);
  if (search !== location.search) history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
};
useConfig.subscribe((s, prev) => {
  if (s.config !== prev.config) writeUrl();
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <PlaygroundContext.Provider value={playground}>
      <App />
    </PlaygroundContext.Provider>
  </StrictMode>,
);

installDebugHandle(playground);
void playground.boot();
