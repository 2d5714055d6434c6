// The page's commands (Train, Pause, Step, Reset, Translate, keep/export/import a run) and its
// life cycle: claim this tab's run id, restore the tab's saved run, start the worker, keep the
// worker's model in step with the edited config while nothing has been trained, and save the run
// to IndexedDB when it pauses, finishes, and every AUTOSAVE_MS while it trains.

import type { RunConfig } from '../train/config';
import type { FromWorker, Pair, StepProfile } from '../train/protocol';
import { useAttention } from './store/attention-store';
import { summarizeRun, useCompare, type ComparedRun } from './store/compare-store';
import { changedFields, useConfig } from './store/config-store';
import { useData } from './store/data-store';
import { applyEvent } from './store/dispatch';
import { truncateMetrics, useMetrics } from './store/metrics-store';
import { decodeRun, encodeRun, RUN_FORMAT, RunFileError, type SavedRun } from './store/run-file';
import { readSafetensors } from '../train/safetensors';
import { useStatus } from './store/status-store';
import { effectiveModel, useTranslate } from './store/translate-store';
import { translateInputError } from '../train/translate-input';
import type { TabRun } from './store/tab-identity';
import { WorkerClient, type WorkerLike } from './worker-client';
import { measureWork } from './work-meter';
import type { Lesson } from './lessons';

// A reload loses at most this much training (plus the save in flight); a save is one checkpoint
// readback and one IndexedDB write, small next to 5 s of steps.
export const AUTOSAVE_MS = 5_000;
const CONFIGURE_DEBOUNCE_MS = 250;

/** Where runs are kept (IndexedDB in the page, a Map in tests). */
export interface RunStorage {
  saveRun(run: SavedRun): Promise<void>;
  loadRun(runId: string): Promise<SavedRun | undefined>;
  saveCompared(run: ComparedRun): Promise<void>;
  deleteCompared(id: string): Promise<void>;
  loadCompared(): Promise<ComparedRun[]>;
}

export interface PlaygroundDeps {
  spawn: () => WorkerLike;
  storage: RunStorage | null;
  claim: () => Promise<TabRun>;
  /** Which backend to ask the worker for (the page's ?backend= parameter). */
  backend?: 'webgpu' | 'wasm' | 'cpu';
  /** Whether the URL carried config parameters (they win over a restored run's config in the editor). */
  urlHasConfig: boolean;
  now?: () => number;
  /** Where the step last shown is kept across a reload, to say how many steps the reload lost. */
  shownStep?: ShownStepStore;
}

/** The step a tab last showed, per run id (sessionStorage in the page: it survives a reload). */
export interface ShownStepStore {
  read(runId: string): number | null;
  write(runId: string, step: number): void;
}

export const sessionShownStep: ShownStepStore = {
  read(runId) {
    const v = Number(sessionStorage.getItem(`ap:shown-step:${runId}`));
    return Number.isInteger(v) && v > 0 ? v : null;
  },
  write(runId, step) {
    sessionStorage.setItem(`ap:shown-step:${runId}`, String(step));
  },
};

/**
 * The fields in which a run file's config differs from the config inside its checkpoint ('' when
 * they agree, or when the checkpoint cannot be read: the worker then refuses it with the reason).
 */
function checkpointConfigDiffers(checkpoint: Uint8Array, config: RunConfig): string {
  let stored: unknown;
  try {
    stored = JSON.parse(readSafetensors(checkpoint).metadata.config ?? 'null');
  } catch {
    return '';
  }
  if (!stored || typeof stored !== 'object') return '';
  return changedFields(stored as RunConfig, config).join(', ');
}

export class Playground {
  client: WorkerClient | null = null;
  private startedAt = Date.now();
  private configureTimer: ReturnType<typeof setTimeout> | null = null;
  private autosaveTimer: ReturnType<typeof setInterval> | null = null;
  private saving: Promise<void> | null = null;
  private saveAgain = false;
  /** The newest checkpoint and the step it holds. */
  private lastCheckpoint: { bytes: Uint8Array; step: number } | null = null;
  private restoreAfterReady: SavedRun | null = null;
  private readonly unsubscribers: (() => void)[] = [];
  private readonly now: () => number;
  private readonly rememberShownStep = (): void => {
    const runId = useStatus.getState().runId;
    if (runId) this.deps.shownStep?.write(runId, this.shownStep());
  };

  constructor(private readonly deps: PlaygroundDeps) {
    this.now = deps.now ?? (() => (typeof performance !== 'undefined' ? performance.now() : Date.now()));
  }

  async boot(): Promise<void> {
    const status = useStatus.getState();
    const tab = await this.deps.claim();
    status.setRunId(tab.runId);
    if (typeof window !== 'undefined') window.addEventListener('pagehide', this.rememberShownStep);
    const storage = this.deps.storage;
    if (storage) {
      try {
        useCompare.getState().hydrate(await storage.loadCompared());
        const saved = await storage.loadRun(tab.copiedFrom ?? tab.runId);
        if (saved) this.restore(saved, !this.deps.urlHasConfig);
      } catch (e) {
        status.saved(null, (e as Error).message);
      }
    }
    const client = new WorkerClient(
      this.deps.spawn(),
      (ev) => measureWork(`event:${ev.type}`, () => this.onEvent(ev)),
      (message) => useStatus.getState().fail(message),
    );
    this.client = client;
    client.send({ type: 'init', backend: this.deps.backend, runId: tab.runId, baseUrl: typeof document === 'undefined' ? undefined : document.baseURI });
    this.unsubscribers.push(
      useConfig.subscribe((s, prev) => {
        if (s.config !== prev.config) this.scheduleConfigure();
      }),
      useData.subscribe((s, prev) => {
        if (s.pairs !== prev.pairs && useConfig.getState().config.task === 'custom') this.scheduleConfigure();
      }),
    );
  }

  dispose(): void {
    this.rememberShownStep();
    if (typeof window !== 'undefined') window.removeEventListener('pagehide', this.rememberShownStep);
    for (const u of this.unsubscribers) u();
    if (this.autosaveTimer) clearInterval(this.autosaveTimer);
    if (this.configureTimer) clearTimeout(this.configureTimer);
    this.client?.terminate();
  }

  /** Shows a saved run: its config, curves, snapshots and pair file; the weights follow after 'ready'. */
  private restore(run: SavedRun, useRunConfigInEditor: boolean): void {
    if (useRunConfigInEditor) useConfig.getState().replace(run.config);
    useData.getState().restore(run.pairFile?.name ?? null, run.pairFile?.pairs ?? null);
    useMetrics.getState().restore(run.metrics);
    useAttention.getState().restore(run.snapshots);
    useStatus.getState().setRun(run.step > 0 ? 'paused' : 'idle', run.step);
    useStatus.getState().saved(run.savedAt);
    this.startedAt = run.startedAt;
    this.lastCheckpoint = run.checkpoint ? { bytes: run.checkpoint, step: run.step } : null;
    this.restoreAfterReady = run;
  }

  private onEvent(ev: FromWorker): void {
    applyEvent(ev, this.now());
    if (ev.type === 'ready') void this.afterReady();
    if (ev.type === 'status') {
      if (ev.state === 'training') this.startAutosave();
      else this.stopAutosave();
      if (ev.state === 'paused' || ev.state === 'done') void this.save();
      // A finished run goes to the comparison by itself (no hidden "Keep this run" step).
      if (ev.state === 'done') void this.keepRun().then((r) => r && useStatus.getState().notify({ kind: 'info', key: 'notice.keptForCompare', params: { label: r.label } }));
    }
  }

  private async afterReady(): Promise<void> {
    const run = this.restoreAfterReady;
    this.restoreAfterReady = null;
    if (run && run.checkpoint && run.step > 0) {
      this.configure(run.config, run.pairFile?.pairs);
      try {
        const step = await this.client!.load(run.checkpoint.slice());
        this.showLoadedAt(step, run.config);
        this.tellRestored(run.runId, step);
      } catch (e) {
        useStatus.getState().notify({ kind: 'error', key: 'notice.restoreFailed', params: { message: (e as Error).message } });
        this.clearRun();
        this.configure(useConfig.getState().config, this.pairsFor(useConfig.getState().config));
      }
      return;
    }
    this.configure(useConfig.getState().config, this.pairsFor(useConfig.getState().config));
  }

  private shownStep(): number {
    return Math.max(useStatus.getState().step, useMetrics.getState().last?.step ?? 0);
  }

  /** Says where a restored run stands, and how many steps shown before the reload were lost. */
  private tellRestored(runId: string, step: number): void {
    const shown = this.deps.shownStep?.read(runId) ?? null;
    const lost = shown !== null && shown > step ? shown - step : 0;
    useStatus.getState().notify({ kind: lost > 0 ? 'warning' : 'info', key: lost > 0 ? 'notice.restoredLost' : 'notice.restored', params: { step, lost } });
  }

  /**
   * After a run's checkpoint is loaded at `step`: the curves and attention snapshots stop there
   * (the metrics may have been saved a little after the checkpoint was taken).
   */
  private showLoadedAt(step: number, config: RunConfig): void {
    const m = useMetrics.getState();
    m.restore(truncateMetrics(m.save(), step));
    useAttention.getState().restore(useAttention.getState().snapshots.filter((s) => s.step <= step));
    useStatus.getState().setConfigured(config);
  }

  private pairsFor(c: RunConfig): Pair[] | undefined {
    return c.task === 'custom' ? (useData.getState().pairs ?? undefined) : undefined;
  }

  private configure(config: RunConfig, pairs?: Pair[]): void {
    if (!this.client) return;
    useStatus.getState().setConfigured(config);
    useStatus.getState().setWorkerConfigErrors([]);
    this.client.send({ type: 'configure', config, pairs });
  }

  /** True while nothing has been trained: config edits then rebuild the worker's model at once. */
  private fresh(): boolean {
    const s = useStatus.getState();
    const m = useMetrics.getState();
    return s.runState !== 'training' && s.step === 0 && (m.last?.step ?? 0) === 0;
  }

  private scheduleConfigure(): void {
    if (!this.fresh() || useStatus.getState().phase !== 'ready') return;
    if (this.configureTimer) clearTimeout(this.configureTimer);
    this.configureTimer = setTimeout(() => {
      this.configureTimer = null;
      if (this.fresh()) this.configure(useConfig.getState().config, this.pairsFor(useConfig.getState().config));
    }, CONFIGURE_DEBOUNCE_MS);
  }

  /** Config edits the running model does not have (they apply on Reset). */
  pendingChanges(): (keyof RunConfig)[] {
    const configured = useStatus.getState().configured;
    return configured ? changedFields(configured, useConfig.getState().config) : [];
  }

  private ensureConfigured(): void {
    const config = useConfig.getState().config;
    const configured = useStatus.getState().configured;
    if (this.configureTimer) {
      clearTimeout(this.configureTimer);
      this.configureTimer = null;
    }
    if (!configured || (this.fresh() && changedFields(configured, config).length > 0)) this.configure(config, this.pairsFor(config));
  }

  /** Once the user trains, the translate box answers with the model being trained. */
  private offerTrainedModel(): void {
    if (this.fresh()) useTranslate.getState().set({ model: 'current' });
  }

  train(): void {
    if (!this.client) return;
    this.ensureConfigured();
    this.offerTrainedModel();
    if (this.fresh()) this.startedAt = this.newRunStart();
    this.client.send({ type: 'start' });
  }

  pause(): void {
    this.client?.send({ type: 'pause' });
  }

  step(count = 1): void {
    if (!this.client) return;
    this.ensureConfigured();
    this.offerTrainedModel();
    this.client.send({ type: 'step', count });
  }

  /** Starts over from step 0 with the edited config (a new run in this tab). */
  reset(): void {
    if (!this.client) return;
    this.clearRun();
    this.configure(useConfig.getState().config, this.pairsFor(useConfig.getState().config));
    void this.save();
  }

  /** A start time that no earlier run of this tab has (it names the run when kept for comparison). */
  private newRunStart(): number {
    return Math.max(Date.now(), this.startedAt + 1);
  }

  private clearRun(): void {
    useMetrics.getState().clear();
    useAttention.getState().clear();
    useStatus.getState().setRun('idle', 0);
    this.lastCheckpoint = null;
    this.startedAt = this.newRunStart();
  }

  async translate(): Promise<void> {
    const t = useTranslate.getState();
    if (!this.client || t.text.trim() === '') return;
    const tooLong = translateInputError(t.text);
    if (tooLong) {
      t.failed(tooLong);
      return;
    }
    t.started();
    try {
      const model = effectiveModel(t.model, useStatus.getState().configured?.task);
      useTranslate.getState().answered(await this.client.translate(t.text, t.beam, model));
    } catch (e) {
      useTranslate.getState().failed((e as Error).message);
    }
  }

  /**
   * Runs a lesson's runs one after the other, each from step 0 (the finished ones are kept for
   * comparison by themselves). Resolves true when all finished, false when one was paused,
   * failed or replaced, which ends the lesson.
   */
  async runLesson(lesson: Lesson, show: (view: Lesson['watch']) => void): Promise<boolean> {
    if (!this.client) return false;
    show(lesson.watch);
    for (const config of lesson.runs) {
      useConfig.getState().replace(config);
      this.reset();
      const finished = new Promise<boolean>((resolve) => {
        let started = false;
        const stop = useStatus.subscribe((st) => {
          if (st.runState === 'training') started = true;
          else if (started || st.runState === 'done' || st.runState === 'error') {
            stop();
            resolve(st.runState === 'done');
          }
        });
      });
      this.train();
      if (!(await finished)) return false;
    }
    show(lesson.after);
    return true;
  }

  /** Keeps the current run (config + reduced curves) for the comparison chart. */
  async keepRun(): Promise<ComparedRun | null> {
    const status = useStatus.getState();
    const m = useMetrics.getState();
    const config = status.configured ?? useConfig.getState().config;
    if (m.series.step.length === 0) return null;
    const id = `${status.runId}:${this.startedAt}`;
    const n = useCompare.getState().runs.length + 1;
    // Kept again (after more steps, or when it finishes): the same entry, its name unchanged.
    const label = useCompare.getState().runs.find((r) => r.id === id)?.label ?? `#${n} ${config.model === 'rnn' ? `${config.cell.toUpperCase()}+attn` : 'Transformer'} · ${config.attention} · clip ${config.clip} · lr ${config.lr}`;
    const entry = useCompare.getState().keep(summarizeRun(id, label, config, m.series, m.evals, Date.now()));
    await this.deps.storage?.saveCompared(entry).catch(() => undefined);
    return entry;
  }

  async removeCompared(id: string): Promise<void> {
    useCompare.getState().remove(id);
    await this.deps.storage?.deleteCompared(id).catch(() => undefined);
  }

  async renameCompared(id: string, label: string): Promise<void> {
    useCompare.getState().rename(id, label);
    const r = useCompare.getState().runs.find((x) => x.id === id);
    if (r) await this.deps.storage?.saveCompared(r).catch(() => undefined);
  }

  private startAutosave(): void {
    if (this.autosaveTimer || !this.deps.storage) return;
    this.autosaveTimer = setInterval(() => void this.save(), AUTOSAVE_MS);
  }

  private stopAutosave(): void {
    if (this.autosaveTimer) clearInterval(this.autosaveTimer);
    this.autosaveTimer = null;
  }

  /** The current run as a SavedRun (asks the worker for a checkpoint when a step has been taken). */
  async snapshotRun(): Promise<SavedRun> {
    const status = useStatus.getState();
    const taken = Math.max(status.step, useMetrics.getState().last?.step ?? 0);
    let checkpoint = this.lastCheckpoint;
    if (this.client && taken > 0 && status.model) {
      try {
        checkpoint = await this.client.checkpoint();
        this.lastCheckpoint = checkpoint;
      } catch {
        // Keep the previous checkpoint; the metrics are saved anyway.
      }
    }
    const config = status.configured ?? useConfig.getState().config;
    const data = useData.getState();
    return {
      format: RUN_FORMAT,
      runId: status.runId,
      savedAt: Date.now(),
      startedAt: this.startedAt,
      config,
      pairFile: config.task === 'custom' && data.pairs ? { name: data.fileName, pairs: data.pairs } : null,
      metrics: useMetrics.getState().save(),
      snapshots: useAttention.getState().snapshots,
      checkpoint: taken > 0 && checkpoint ? checkpoint.bytes : null,
      // The checkpoint's own step: the worker answers at a step boundary a few steps after the
      // request, and a reload shows this step until the weights are loaded.
      step: taken > 0 && checkpoint ? checkpoint.step : 0,
      runState: useStatus.getState().runState,
    };
  }

  /** Writes the run to IndexedDB; overlapping calls are coalesced into one more write. */
  save(): Promise<void> {
    const storage = this.deps.storage;
    if (!storage || !useStatus.getState().runId) return Promise.resolve();
    if (this.saving) {
      this.saveAgain = true;
      return this.saving;
    }
    this.saving = (async () => {
      do {
        this.saveAgain = false;
        try {
          const run = await this.snapshotRun();
          await storage.saveRun(run);
          useStatus.getState().saved(run.savedAt);
        } catch (e) {
          useStatus.getState().saved(null, (e as Error).message);
        }
      } while (this.saveAgain);
    })().finally(() => (this.saving = null));
    return this.saving;
  }

  /** The current model as a .safetensors checkpoint (weights, optimizer state, config and vocabularies). */
  async checkpointFile(): Promise<Uint8Array> {
    if (!this.client) throw new Error('the worker is not running');
    return this.client.save();
  }

  /**
   * Replaces the model with a .safetensors checkpoint (ours, from the CLI or another run). The
   * worker checks the whole file first: a bad one is refused and the current run is untouched.
   * The curves restart, since the file holds no metrics.
   */
  async loadCheckpointFile(bytes: Uint8Array): Promise<number> {
    if (!this.client) throw new Error('the worker is not running');
    const { step, config } = await this.client.loadWithConfig(bytes);
    useMetrics.getState().clear();
    useAttention.getState().clear();
    useConfig.getState().replace(config);
    useStatus.getState().setConfigured(config);
    useStatus.getState().setRun('paused', step);
    this.lastCheckpoint = null;
    this.startedAt = this.newRunStart();
    await this.save();
    return step;
  }

  /** GPU time per kernel of one training step (timestamp queries). */
  async profileStep(): Promise<StepProfile> {
    if (!this.client) throw new Error('the worker is not running');
    return this.client.profile();
  }

  async exportRun(): Promise<Uint8Array> {
    return encodeRun(await this.snapshotRun());
  }

  /**
   * Loads a run file into this tab (its own run id stays). Throws RunFileError on a bad file. When
   * the worker is up, it checks and loads the file's checkpoint first: a refused checkpoint throws
   * and leaves the current run as it was.
   */
  async importRun(bytes: Uint8Array): Promise<void> {
    const run = { ...decodeRun(bytes), runId: useStatus.getState().runId };
    const ready = useStatus.getState().phase === 'ready' && this.client;
    if (ready && run.checkpoint && run.step > 0) {
      const differ = checkpointConfigDiffers(run.checkpoint, run.config);
      if (differ) throw new RunFileError(`the run's config does not match its checkpoint (${differ})`);
      const { step } = await this.client!.loadWithConfig(run.checkpoint.slice(), run.pairFile?.pairs);
      this.restore(run, true);
      this.restoreAfterReady = null;
      this.showLoadedAt(step, run.config);
      useStatus.getState().setRun('paused', step);
    } else {
      this.restore(run, true);
      if (ready) await this.afterReady();
    }
    await this.save();
  }
}
