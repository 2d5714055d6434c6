// The controller against a test double of the worker (it speaks the protocol, nothing more) and
// an in-memory run storage.

import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../train/config';
import type { FromWorker, StepMetrics, ToWorker } from '../train/protocol';
import { Playground, type RunStorage } from './controller';
import { LESSONS } from './lessons';
import { useAttention } from './store/attention-store';
import { useCompare, type ComparedRun } from './store/compare-store';
import { useConfig } from './store/config-store';
import { useMetrics } from './store/metrics-store';
import type { SavedRun } from './store/run-file';
import { useStatus } from './store/status-store';
import { useTranslate } from './store/translate-store';
import type { WorkerLike } from './worker-client';

class FakeWorker implements WorkerLike {
  /** Steps the fake trains between a 'save' request and its answer. */
  stepsBeforeCheckpoint = 0;
  sent: ToWorker[] = [];
  private listeners: ((ev: MessageEvent<FromWorker>) => void)[] = [];
  /** Replies the double gives on its own (like the real worker's answers to requests). */
  auto = true;
  step = 0;
  /** Whether 'start' trains to the configured steps at once (training, rows, done). */
  trainsOnStart = false;
  private steps = 0;

  postMessage(msg: ToWorker): void {
    this.sent.push(msg);
    if (!this.auto) return;
    switch (msg.type) {
      case 'init':
        this.emit({ type: 'ready', backend: 'webgpu', adapter: 'fake adapter' });
        break;
      case 'configure':
        this.step = 0;
        this.steps = msg.config.steps;
        this.emit({ type: 'model', info: { params: [{ name: 'w', shape: [2] }], numParameters: 2, task: msg.config.task, description: '', examples: [], splits: { train: 1, valid: 1, test: 1 }, probes: ['a'] } });
        this.emit({ type: 'status', state: 'idle', step: 0 });
        break;
      case 'start': {
        if (!this.trainsOnStart) break;
        this.emit({ type: 'status', state: 'training', step: this.step });
        const rows: StepMetrics[] = [];
        while (this.step < this.steps) rows.push(row(++this.step));
        this.emit({ type: 'metrics', rows });
        this.emit({ type: 'status', state: 'done', step: this.step });
        break;
      }
      case 'step': {
        const rows: StepMetrics[] = [];
        for (let i = 0; i < (msg.count ?? 1); i++) rows.push(row(++this.step));
        this.emit({ type: 'metrics', rows });
        this.emit({ type: 'status', state: 'paused', step: this.step });
        break;
      }
      case 'save': {
        // A training worker answers at its next step boundary, a few steps after the request.
        const rows: StepMetrics[] = [];
        for (let i = 0; i < this.stepsBeforeCheckpoint; i++) rows.push(row(++this.step));
        if (rows.length) this.emit({ type: 'metrics', rows });
        this.emit({ type: 'checkpoint', id: msg.id, bytes: new Uint8Array([this.step, 42]), step: this.step });
        break;
      }
      case 'load':
        this.step = msg.bytes[0];
        this.emit({ type: 'loaded', id: msg.id, step: this.step, config: { ...DEFAULT_CONFIG, lr: 0.0123 } });
        this.emit({ type: 'status', state: 'paused', step: this.step });
        break;
      case 'translate':
        if (msg.text === 'fail') this.emit({ type: 'error', id: msg.id, message: 'no model' });
        else
          this.emit({
            type: 'translation',
            translation: { id: msg.id, srcTokens: msg.text.split(' '), unknown: [false], outTokens: ['x'], text: `x(${msg.beam})`, alignment: new Float32Array([1]) },
          });
        break;
      default:
        break;
    }
  }

  emit(ev: FromWorker): void {
    for (const l of this.listeners) l({ data: ev } as MessageEvent<FromWorker>);
  }

  addEventListener(type: 'message' | 'error', listener: (ev: never) => void): void {
    if (type === 'message') this.listeners.push(listener as (ev: MessageEvent<FromWorker>) => void);
  }

  terminate(): void {}
}

function row(step: number): StepMetrics {
  return { step, loss: 5 / step, lr: 1e-3, gradNormPre: 3, gradNormPost: 1, paramNormsPre: [3], paramNormsPost: [1], clipCoef: 1, clampedFraction: 0, paramClamped: [0], tokensPerSec: 10, ms: 1, gpuBytes: 100 };
}

class MemoryRuns implements RunStorage {
  runs = new Map<string, SavedRun>();
  compared = new Map<string, ComparedRun>();
  async saveRun(r: SavedRun) {
    this.runs.set(r.runId, structuredClone(r));
  }
  async loadRun(id: string) {
    return this.runs.get(id);
  }
  async saveCompared(r: ComparedRun) {
    this.compared.set(r.id, r);
  }
  async deleteCompared(id: string) {
    this.compared.delete(id);
  }
  async loadCompared() {
    return [...this.compared.values()];
  }
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function resetStores() {
  useConfig.getState().replace(DEFAULT_CONFIG);
  useMetrics.getState().clear();
  useAttention.getState().clear();
  useCompare.getState().hydrate([]);
  useStatus.setState(useStatus.getInitialState());
}

let pg: Playground | null = null;
beforeEach(resetStores);
afterEach(() => {
  pg?.dispose();
  pg = null;
});

/** The step a tab showed before its "reload" (dispose), as sessionStorage keeps it in the page. */
const shown = new Map<string, number>();
const shownStep = { read: (id: string) => shown.get(id) ?? null, write: (id: string, step: number) => void shown.set(id, step) };

async function boot(storage: RunStorage | null, worker = new FakeWorker(), runId = 'tab-1', urlHasConfig = false) {
  pg = new Playground({ spawn: () => worker, storage, claim: async () => ({ runId, copiedFrom: null }), urlHasConfig, shownStep });
  await pg.boot();
  await tick();
  return { pg, worker };
}

describe('Playground', () => {
  it('starts the worker and builds the model with the edited config', async () => {
    const { worker } = await boot(null);
    expect(worker.sent[0]).toEqual({ type: 'init', backend: undefined, runId: 'tab-1' });
    const configure = worker.sent.find((m) => m.type === 'configure');
    expect(configure && configure.type === 'configure' && configure.config).toEqual(DEFAULT_CONFIG);
    expect(useStatus.getState().phase).toBe('ready');
    expect(useStatus.getState().adapter).toBe('fake adapter');
    expect(useStatus.getState().model?.numParameters).toBe(2);
  });

  it('rebuilds the model when the config changes before training, not after', async () => {
    const { pg, worker } = await boot(null);
    useConfig.getState().setField('lr', '0.01');
    await tick(300);
    const configures = () => worker.sent.filter((m) => m.type === 'configure');
    expect(configures().length).toBe(2);
    pg.step(3);
    await tick();
    expect(useMetrics.getState().last?.step).toBe(3);
    useConfig.getState().setField('lr', '0.02');
    await tick(300);
    expect(configures().length).toBe(2);
    expect(pg.pendingChanges()).toEqual(['lr']);
  });

  it('an invalid edit is not sent to the worker', async () => {
    const { worker } = await boot(null);
    useConfig.getState().setField('batch', '0');
    await tick(300);
    expect(worker.sent.filter((m) => m.type === 'configure').length).toBe(1);
  });

  it('train sends start; reset clears the metrics and rebuilds', async () => {
    const { pg, worker } = await boot(null);
    pg.train();
    expect(worker.sent[worker.sent.length - 1]).toEqual({ type: 'start' });
    worker.emit({ type: 'metrics', rows: [row(1), row(2)] });
    worker.emit({ type: 'attention', snapshot: { step: 1, probe: 0, srcTokens: [], tgtTokens: [], maps: [] } });
    expect(useMetrics.getState().series.step).toEqual([1, 2]);
    expect(useAttention.getState().snapshots.length).toBe(1);
    pg.reset();
    expect(useMetrics.getState().series.step).toEqual([]);
    expect(useAttention.getState().snapshots.length).toBe(0);
    expect(worker.sent[worker.sent.length - 1].type).toBe('configure');
  });

  it('saves the run with its checkpoint when it pauses, and a reload restores it', async () => {
    const storage = new MemoryRuns();
    const first = await boot(storage);
    first.pg.step(5);
    await tick(10);
    const saved = storage.runs.get('tab-1');
    expect(saved?.step).toBe(5);
    expect(Array.from(saved!.checkpoint!)).toEqual([5, 42]);
    expect(saved?.metrics.series.step.length).toBe(5);
    first.pg.dispose();

    resetStores();
    const worker = new FakeWorker();
    await boot(storage, worker);
    await tick(10);
    const load = worker.sent.find((m) => m.type === 'load');
    expect(load).toBeTruthy();
    expect(useMetrics.getState().series.step.length).toBe(5);
    expect(useStatus.getState().step).toBe(5);
    expect(useStatus.getState().runState).toBe('paused');
  });

  it('a reload says at which step the run was restored and how many shown steps were lost', async () => {
    const storage = new MemoryRuns();
    const first = await boot(storage);
    first.pg.step(5);
    await tick(10);
    // Steps shown after the last save: the reload cannot bring them back, and says so.
    first.worker.emit({ type: 'metrics', rows: [row(6), row(7), row(8)] });
    first.pg.dispose();
    expect(shown.get('tab-1')).toBe(8);

    resetStores();
    await boot(storage, new FakeWorker());
    await tick(10);
    expect(useStatus.getState().step).toBe(5);
    expect(useStatus.getState().notices.map((n) => [n.key, n.params])).toContainEqual(['notice.restoredLost', { step: 5, lost: 3 }]);
  });

  it('a saved run records the step its checkpoint holds, not the step when the save was asked', async () => {
    const storage = new MemoryRuns();
    const { pg: first, worker } = await boot(storage);
    first.step(5);
    await tick(10);
    worker.stepsBeforeCheckpoint = 3;
    await first.save();
    const saved = storage.runs.get('tab-1')!;
    expect(Array.from(saved.checkpoint!)).toEqual([8, 42]);
    expect(saved.step).toBe(8);
    // the restore shows that step while the weights load
    first.dispose();
    resetStores();
    const again = new FakeWorker();
    again.auto = false;
    await boot(storage, again);
    expect(useStatus.getState().step).toBe(8);
  });

  it('two tabs write to their own run ids', async () => {
    const storage = new MemoryRuns();
    const a = await boot(storage, new FakeWorker(), 'tab-a');
    a.pg.step(2);
    await tick(10);
    a.pg.dispose();
    resetStores();
    const b = await boot(storage, new FakeWorker(), 'tab-b');
    b.pg.step(4);
    await tick(10);
    expect(storage.runs.get('tab-a')?.step).toBe(2);
    expect(storage.runs.get('tab-b')?.step).toBe(4);
  });

  it('keeps runs for comparison', async () => {
    const storage = new MemoryRuns();
    const { pg } = await boot(storage);
    pg.step(3);
    await tick(10);
    const kept = await pg.keepRun();
    expect(kept?.steps).toBe(3);
    pg.reset();
    useConfig.getState().setField('lr', '0.05');
    pg.step(2);
    await tick(10);
    await pg.keepRun();
    expect(useCompare.getState().runs.length).toBe(2);
    expect(storage.compared.size).toBe(2);
    await pg.removeCompared(kept!.id);
    expect(useCompare.getState().runs.length).toBe(1);
  });

  it('a finished run is kept for comparison by itself, once, under one name', async () => {
    const storage = new MemoryRuns();
    const { worker } = await boot(storage);
    worker.emit({ type: 'metrics', rows: [row(1), row(2)] });
    worker.emit({ type: 'status', state: 'done', step: 2 });
    await tick(10);
    expect(useCompare.getState().runs.map((r) => [r.label.slice(0, 2), r.steps])).toEqual([['#1', 2]]);
    expect(useStatus.getState().notices.some((n) => n.key === 'notice.keptForCompare')).toBe(true);
    // Kept again (the user presses Keep, or it finishes again): still one entry, same name.
    worker.emit({ type: 'metrics', rows: [row(3)] });
    worker.emit({ type: 'status', state: 'done', step: 3 });
    await tick(10);
    expect(useCompare.getState().runs.map((r) => [r.label.slice(0, 2), r.steps])).toEqual([['#1', 3]]);
    expect(storage.compared.size).toBe(1);
  });

  it('a lesson trains its runs one after the other from step 0, shows its views, and keeps each run', async () => {
    // Both runs start within the same millisecond: each is still kept as a run of its own.
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
    onTestFinished(() => now.mockRestore());
    const worker = new FakeWorker();
    worker.trainsOnStart = true;
    const { pg } = await boot(new MemoryRuns(), worker);
    const views: string[] = [];
    const lesson = LESSONS.clipping;
    expect(await pg.runLesson(lesson, (v) => views.push(v))).toBe(true);
    const configs = worker.sent.filter((m) => m.type === 'configure').slice(-2);
    expect(configs.map((m) => (m.type === 'configure' ? m.config.clip : ''))).toEqual(['none', 'norm']);
    expect(worker.sent.filter((m) => m.type === 'start')).toHaveLength(2);
    expect(views).toEqual(['training', 'compare']);
    expect(useCompare.getState().runs.map((r) => [r.steps, r.config.clip])).toEqual([
      [60, 'none'],
      [60, 'norm'],
    ]);
  });

  it('a lesson whose run is paused ends there', async () => {
    const worker = new FakeWorker();
    const { pg } = await boot(new MemoryRuns(), worker);
    const done = pg.runLesson(LESSONS.clipping, () => undefined);
    await tick();
    worker.emit({ type: 'status', state: 'training', step: 0 });
    worker.emit({ type: 'status', state: 'paused', step: 3 });
    expect(await done).toBe(false);
    expect(worker.sent.filter((m) => m.type === 'start')).toHaveLength(1);
  });

  it('translate answers through the store; a worker error is shown', async () => {
    const { pg } = await boot(null);
    useTranslate.getState().set({ text: 'hello world', beam: 3 });
    await pg.translate();
    expect(useTranslate.getState().result?.text).toBe('x(3)');
    useTranslate.getState().set({ text: 'fail' });
    await pg.translate();
    expect(useTranslate.getState().error).toBe('no model');
    expect(useTranslate.getState().busy).toBe(false);
  });

  it('a 1 MB sentence in the Translate box is refused with a message, and never sent to the worker', async () => {
    const { pg, worker } = await boot(null);
    const sent = worker.sent.length;
    useTranslate.getState().set({ text: 'word '.repeat(200_000) });
    await pg.translate();
    expect(useTranslate.getState().error).toBe('the sentence has 1,000,000 characters; at most 5,000 can be translated');
    expect(useTranslate.getState().busy).toBe(false);
    expect(worker.sent.slice(sent).filter((m) => m.type === 'translate')).toEqual([]);
  });

  it('exports and imports a run file', async () => {
    const { pg, worker } = await boot(null);
    pg.step(4);
    await tick(10);
    const bytes = await pg.exportRun();
    pg.reset();
    expect(useMetrics.getState().series.step.length).toBe(0);
    await pg.importRun(bytes);
    await tick(10);
    expect(useMetrics.getState().series.step.length).toBe(4);
    expect(worker.sent.filter((m) => m.type === 'load').length).toBe(1);
    await expect(pg.importRun(new Uint8Array([1, 2, 3]))).rejects.toThrow(/not a run file/);
  });

  it('downloads the model as a checkpoint and loads one: config from the file, curves restart', async () => {
    const { pg } = await boot(null);
    pg.step(3);
    await tick(10);
    const file = await pg.checkpointFile();
    expect(Array.from(file)).toEqual([3, 42]);
    const step = await pg.loadCheckpointFile(new Uint8Array([9, 42]));
    expect(step).toBe(9);
    expect(useConfig.getState().config.lr).toBe(0.0123);
    expect(useStatus.getState().configured?.lr).toBe(0.0123);
    expect(useStatus.getState().step).toBe(9);
    expect(useMetrics.getState().series.step.length).toBe(0);
  });

  it('routes warnings from the worker into notices', async () => {
    const { worker } = await boot(null);
    worker.emit({ type: 'non-finite', step: 7, parameter: 'decoder.out.weight', skipped: 1 });
    worker.emit({ type: 'device-lost', message: 'lost', redoneSteps: 3, backend: 'cpu', resumedAt: 0 });
    const n = useStatus.getState().notices;
    expect(n.map((x) => x.key)).toEqual(['notice.nonFinite', 'notice.deviceLost']);
    expect(useStatus.getState().backend).toBe('cpu');
  });
});
