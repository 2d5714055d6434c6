// What the worker says about itself: backend and adapter, run state and step, the model it built,
// and the events a learner must be told about (fallback to the CPU, device loss, non-finite
// values, errors).

import { create } from 'zustand';
import type { RunConfig } from '../../train/config';
import type { FieldError } from '../../train/config';
import type { ModelInfo, RunState } from '../../train/protocol';

export interface Notice {
  id: number;
  kind: 'error' | 'warning' | 'info';
  /** i18n key, or null when `text` is a message from the worker. */
  key: string | null;
  params?: Record<string, string | number>;
  text?: string;
}

export interface StatusState {
  /** 'starting' until the worker's 'ready' event. */
  phase: 'starting' | 'ready' | 'failed';
  backend: 'webgpu' | 'cpu' | null;
  adapter: string;
  fallbackReason: string | null;
  /** Why the automatic choice took this backend (its measurement), when it did. */
  choice: string | null;
  runState: RunState;
  step: number;
  stateMessage: string | null;
  model: ModelInfo | null;
  /** The config the worker's model was built with (null before the first 'configure'). */
  configured: RunConfig | null;
  workerConfigErrors: FieldError[];
  notices: Notice[];
  /** This tab's run id (IndexedDB key). */
  runId: string;
  /** When the run was last written to IndexedDB, and why the last write failed. */
  savedAt: number | null;
  saveError: string | null;
  ready(backend: 'webgpu' | 'cpu', adapter: string, fallbackReason?: string, choice?: string): void;
  setRun(state: RunState, step: number, message?: string): void;
  setModel(info: ModelInfo): void;
  setConfigured(c: RunConfig | null): void;
  setWorkerConfigErrors(errors: FieldError[]): void;
  notify(n: Omit<Notice, 'id'>): void;
  dismiss(id: number): void;
  fail(message: string): void;
  setRunId(id: string): void;
  saved(at: number | null, error?: string): void;
}

let nextNotice = 1;
const MAX_NOTICES = 4;

export const useStatus = create<StatusState>()((set, get) => ({
  phase: 'starting',
  backend: null,
  adapter: '',
  fallbackReason: null,
  choice: null,
  runState: 'idle',
  step: 0,
  stateMessage: null,
  model: null,
  configured: null,
  workerConfigErrors: [],
  notices: [],
  runId: '',
  savedAt: null,
  saveError: null,
  ready(backend, adapter, fallbackReason, choice) {
    set({ phase: 'ready', backend, adapter, fallbackReason: fallbackReason ?? null, choice: choice ?? null });
  },
  setRun(runState, step, message) {
    set({ runState, step, stateMessage: message ?? null });
  },
  setModel(model) {
    set({ model });
  },
  setConfigured(configured) {
    set({ configured });
  },
  setWorkerConfigErrors(workerConfigErrors) {
    set({ workerConfigErrors });
  },
  notify(n) {
    // The same notice twice in a row is shown once.
    const notices = get().notices.filter((x) => !(x.key === n.key && x.text === n.text));
    set({ notices: [...notices, { ...n, id: nextNotice++ }].slice(-MAX_NOTICES) });
  },
  dismiss(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
  fail(message) {
    set({ phase: 'failed', stateMessage: message });
  },
  setRunId(runId) {
    set({ runId });
  },
  saved(at, error) {
    set(error ? { saveError: error } : { savedAt: at, saveError: null });
  },
}));
