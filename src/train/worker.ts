// The training worker: owns the GPU device and the Trainer; the page only renders. Talks to the
// page through the ToWorker / FromWorker protocol (protocol.ts). Metrics are batched and posted at
// most every ~100 ms; attention snapshots every `probeEvery` steps; evaluation every `evalEvery`.
//
// Device loss: the worker keeps an automatic checkpoint in memory every AUTO_CHECKPOINT_STEPS
// steps. When the GPUDevice is lost it acquires a new one (new pipelines come with the new
// backend), restores that checkpoint and carries on; without a new device it continues on the
// CPU backend. The page is told how many steps had to be redone.
/// <reference lib="webworker" />

import { acquireGpu, chooseFastestBackend, cpuBackend, createWasmBackend, GpuBackend, setDefaultBackend, type Backend } from '../engine';
import { validateConfig, type RunConfig } from './config';
import { transferables, type FromWorker, type Pair, type RunState, type StepMetrics, type ToWorker } from './protocol';
import { nonFiniteMessage, Trainer, type StepResult } from './trainer';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { PRETRAINED, taskTitle } from './pretrained';
import { ConfigFieldError } from './training-rule';
import { fetchRealTaskPairs } from './real-task-data';
import { isRealTaskName } from '../data/tasks/tatoeba';
import { GpuProfiler } from '../engine/gpu/profiler';

const AUTO_CHECKPOINT_STEPS = 50;

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(msg: FromWorker): void {
  scope.postMessage(msg, transferables(msg));
}

let backend: Backend = cpuBackend;
let adapterName = 'CPU fallback';
let baseUrl = scope.location.href;
let trainer: Trainer | null = null;
let config: RunConfig | null = null;
let pairs: Pair[] | undefined;
let state: RunState = 'idle';
let stepsToRun = 0;
let pendingRows: StepMetrics[] = [];
let lastFlush = 0;
let autoCheckpoint: { step: number; bytes: Uint8Array } | null = null;
let recovering: Promise<void> | null = null;
const pretrainedCache = new Map<string, Promise<Trainer>>();

function setState(s: RunState, message?: string): void {
  state = s;
  post({ type: 'status', state: s, step: trainer?.step ?? 0, message });
}

function flushMetrics(force = false): void {
  const t = performance.now();
  if (pendingRows.length && (force || t - lastFlush > 100)) {
    post({ type: 'metrics', rows: pendingRows });
    pendingRows = [];
    lastFlush = t;
  }
}

async function newGpuBackend(): Promise<GpuBackend> {
  const ctx = await acquireGpu({ onLost: (info) => void onDeviceLost(ctx, info.message) });
  adapterName = ctx.adapterName;
  return new GpuBackend(ctx);
}

async function init(kind: 'webgpu' | 'wasm' | 'cpu' | undefined): Promise<void> {
  let fallbackReason: string | undefined;
  let choice: string | undefined;
  if (kind === undefined) {
    // The fastest backend here, measured (src/engine/backend-choice.ts).
    const chosen = await chooseFastestBackend(newGpuBackend);
    backend = chosen.backend;
    if (chosen.gpuUnavailable) fallbackReason = chosen.gpuUnavailable;
    else choice = chosen.reason;
    if (backend.kind === 'cpu') adapterName = backend.adapterName;
  } else if (kind === 'wasm') {
    try {
      backend = await createWasmBackend();
      adapterName = backend.adapterName;
    } catch (e) {
      fallbackReason = (e as Error).message;
      adapterName = 'CPU fallback';
    }
  } else if (kind !== 'cpu') {
    try {
      backend = await newGpuBackend();
    } catch (e) {
      fallbackReason = (e as Error).message;
      adapterName = 'CPU fallback';
    }
  }
  setDefaultBackend(backend);
  post({ type: 'ready', backend: backend.kind, adapter: adapterName, fallbackReason, choice });
}

function replaceTrainer(next: Trainer | null): void {
  trainer?.dispose();
  trainer = next;
  autoCheckpoint = null;
}

function build(): void {
  if (!config) return;
  replaceTrainer(null);
  try {
    trainer = Trainer.create(config, backend, { pairs });
    post({ type: 'model', info: trainer.info() });
    setState('idle');
  } catch (e) {
    const message = (e as Error).message;
    // A field the model refuses (a group pattern matching none of its parameters) is shown beside the field.
    if (e instanceof ConfigFieldError) post({ type: 'config-error', errors: [{ field: e.field, message }] });
    else post({ type: 'error', message });
    setState('error', message);
  }
}

async function keepAutoCheckpoint(t: Trainer): Promise<void> {
  try {
    autoCheckpoint = { step: t.step, bytes: await saveCheckpoint(t) };
  } catch {
    // The device may be going away; the previous automatic checkpoint stays.
  }
}

/** Page 'save' requests waiting for a step boundary of the running loop (see answerSaves). */
let saveRequests: number[] = [];
let saving: Promise<void> | null = null;

/**
 * Answers the waiting 'save' requests with one checkpoint. Called only where no step can be
 * encoded meanwhile (between the loop's steps, or with no loop running): saveCheckpoint reads the
 * parameters one at a time, and a step encoded between two reads would update some of them
 * first, giving a checkpoint torn between two steps. The metric rows are flushed before the
 * checkpoint goes out, so that the page has every row up to the checkpoint's step.
 */
function answerSaves(): Promise<void> {
  const ids = saveRequests;
  saveRequests = [];
  if (ids.length === 0) return Promise.resolve();
  const t = trainer;
  const done = (async () => {
    try {
      if (!t) throw new Error('no model to save');
      const bytes = autoCheckpoint?.step === t.step ? autoCheckpoint.bytes.slice() : await saveCheckpoint(t);
      flushMetrics(true);
      // Each reply transfers its buffer: every request but the last gets a copy.
      ids.forEach((id, i) => post({ type: 'checkpoint', id, bytes: i === ids.length - 1 ? bytes : bytes.slice(), step: t.step }));
    } catch (e) {
      for (const id of ids) post({ type: 'error', id, message: (e as Error).message });
    }
  })();
  saving = done.finally(() => (saving = null));
  return done;
}

/** Whether `t`'s device is lost, or is lost within a moment: a step's readback fails first when the device is destroyed under it. */
function deviceLost(t: Trainer): Promise<boolean> {
  if (t.backend.kind !== 'webgpu') return Promise.resolve(false);
  const lost = t.backend.device.lost.then(() => true);
  return Promise.race([lost, new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]);
}

/** Runs steps while state is 'training' (or `stepsToRun` > 0), keeping one step in flight. */
async function loop(): Promise<void> {
  const t = trainer;
  if (!t || !config) return;
  await saving;
  const cfg = t.config;
  let inFlight: Promise<StepResult> | null = null;
  const wanted = () => state === 'training' || stepsToRun > 0;
  /** Sends a step's row and its side work; false when the run stops there (non-finite under 'stop'). */
  const record = async (r: StepResult, next: Promise<StepResult> | null): Promise<boolean> => {
    pendingRows.push(r.metrics);
    const step = r.metrics.step;
    if (r.nonFinite) {
      post({ type: 'non-finite', step, parameter: r.nonFinite.parameter, skipped: t.skippedSteps });
      if (cfg.nonFinite === 'stop') {
        stepsToRun = 0;
        // The next step was encoded already; its row is kept too, so that the rows, the step
        // counter and the weights agree (its update was dropped as well if it was non-finite).
        const after = next ? await next.catch(() => null) : null;
        if (after) pendingRows.push(after.metrics);
        flushMetrics(true);
        setState('paused', nonFiniteMessage(step, r.nonFinite.parameter));
        return false;
      }
    }
    flushMetrics();
    if (step % cfg.probeEvery === 0 || step === 1) post({ type: 'attention', snapshot: await t.probeAttention(0) });
    if (step % cfg.evalEvery === 0) post({ type: 'eval', metrics: await t.evaluate('valid', 200) });
    return true;
  };
  try {
    while (trainer === t) {
      const stop = !wanted() || t.step >= cfg.steps;
      const next: Promise<StepResult> | null = stop ? null : profiledStep(t);
      // Marked as handled: when the step before it fails (a lost device), it is never awaited.
      next?.catch(() => undefined);
      if (!stop && state !== 'training') stepsToRun--;
      if (inFlight) {
        const r = await inFlight;
        if (trainer !== t) break;
        if (!(await record(r, next))) return;
      }
      inFlight = next;
      if (!inFlight) break;
      const autoDue = t.step % AUTO_CHECKPOINT_STEPS === 0;
      if (autoDue || saveRequests.length > 0) {
        // Checkpoint right after a step is encoded, before the next one: reading the weights
        // waits for it, so the checkpoint holds exactly that step; its row is sent first.
        const r = await inFlight;
        inFlight = null;
        if (trainer !== t) break;
        if (!(await record(r, null))) return;
        if (autoDue) await keepAutoCheckpoint(t);
        await answerSaves();
      }
      // Yield to the message queue so that pause / step / translate commands are handled.
      await new Promise((r) => setTimeout(r, 0));
    }
  } catch (e) {
    // A lost device fails the step in flight; recovery takes over and resumes the run.
    if (trainer !== t || recovering || (await deviceLost(t))) return;
    flushMetrics(true);
    setState('error', (e as Error).message);
    return;
  }
  flushMetrics(true);
  if (trainer !== t) return;
  if (t.step >= cfg.steps && cfg.steps > 0 && state === 'training') {
    post({ type: 'eval', metrics: await t.evaluate('valid', 500) });
    setState('done');
  } else if (state === 'training' || state === 'idle') setState('paused');
  else post({ type: 'status', state, step: t.step });
}

/** Page 'profile' requests, answered by the next step the loop encodes. */
let profileRequests: number[] = [];

/**
 * Encodes one training step; when a profile was asked for, every dispatch of this step runs in
 * its own timed pass (GpuProfiler) and the per-kernel times go to the page once it has run.
 */
function profiledStep(t: Trainer): Promise<StepResult> {
  const ids = profileRequests;
  if (ids.length === 0 || t.backend.kind !== 'webgpu') return t.trainStep();
  profileRequests = [];
  const b = t.backend;
  // 2048 passes: WebGPU allows 4096 queries per query set, two per pass.
  const profiler = new GpuProfiler(b.device, 2048);
  b.profiler = profiler;
  let step: Promise<StepResult>;
  try {
    step = t.trainStep();
    // Submit the step's passes while the profiler is still attached: the step's readback is
    // encoded a microtask later, after the profiler is detached.
    b.flush();
  } finally {
    b.profiler = null;
  }
  void step
    .then(async (r) => {
      const kernels = await profiler.report();
      const gpuMs = kernels.reduce((s, k) => s + k.totalMs, 0);
      const dispatches = kernels.reduce((s, k) => s + k.calls, 0);
      const profile = { step: r.metrics.step, gpuMs, dispatches, kernels: kernels.map((k) => ({ label: k.label, calls: k.calls, totalMs: k.totalMs })) };
      for (const id of ids) post({ type: 'profile', id, profile });
    })
    .catch((e: unknown) => {
      for (const id of ids) post({ type: 'error', id, message: `profiling failed: ${(e as Error).message}` });
    })
    .finally(() => profiler.destroy());
  return step;
}

function requestProfile(id: number): void {
  if (!trainer) return post({ type: 'error', id, message: 'no model yet: choose a task and a model first' });
  if (backend.kind !== 'webgpu') return post({ type: 'error', id, message: 'per-kernel GPU times need WebGPU; this run is on the CPU backend' });
  if (!GpuProfiler.isSupported(backend.device)) return post({ type: 'error', id, message: "this GPU does not offer 'timestamp-query', so kernels cannot be timed" });
  if (!trainer.canTrain || trainer.step >= trainer.config.steps) return post({ type: 'error', id, message: 'the run has no step left to profile' });
  profileRequests.push(id);
  // Paused or idle: take exactly one (profiled) step.
  if (state !== 'training') stepsToRun += 1;
  ensureLoop();
}

let running: Promise<void> | null = null;
function ensureLoop(): void {
  if (!running)
    running = loop().finally(() => {
      running = null;
      // Requests that arrived after the last step boundary.
      void answerSaves();
    });
}

async function onDeviceLost(ctx: { device: GPUDevice }, message: string): Promise<void> {
  if (backend.kind !== 'webgpu' || backend.device !== ctx.device || recovering) return;
  recovering = (async () => {
    const lostAt = trainer?.step ?? 0;
    const wasTraining = state === 'training';
    const old = trainer;
    trainer = null; // stops the loop
    pretrainedCache.clear();
    await running?.catch(() => undefined);
    try {
      old?.dispose();
    } catch {
      // Its buffers went with the device.
    }
    try {
      backend = await newGpuBackend();
    } catch {
      backend = cpuBackend;
      adapterName = 'CPU fallback';
    }
    setDefaultBackend(backend);
    let resumed = 0;
    try {
      if (autoCheckpoint) {
        trainer = loadCheckpoint(autoCheckpoint.bytes, backend, { pairs }).trainer;
        resumed = trainer.step;
      } else if (config) {
        trainer = Trainer.create(config, backend, { pairs });
      }
    } catch (e) {
      trainer = null;
      post({ type: 'error', message: `could not restore the run after losing the GPU: ${(e as Error).message}` });
    }
    pendingRows = pendingRows.filter((r) => r.step <= resumed);
    post({ type: 'device-lost', message: message || 'device lost', redoneSteps: Math.max(0, lostAt - resumed), backend: backend.kind, resumedAt: resumed });
    if (trainer) post({ type: 'model', info: trainer.info() });
    if (trainer && wasTraining) {
      setState('training');
      ensureLoop();
    } else setState(trainer ? 'paused' : 'error');
  })().finally(() => (recovering = null));
  await recovering;
}

function pretrained(task: string): Promise<Trainer> {
  let p = pretrainedCache.get(task);
  if (!p) {
    const path = PRETRAINED[task];
    if (!path) return Promise.reject(new Error(`no pretrained model is shipped for ${taskTitle(task)}: train one and choose “the model being trained”`));
    p = (async () => {
      const res = await fetch(new URL(path, baseUrl));
      if (!res.ok) throw new Error(`could not load the pretrained model (HTTP ${res.status})`);
      return loadCheckpoint(new Uint8Array(await res.arrayBuffer()), backend).trainer;
    })();
    p.catch(() => pretrainedCache.delete(task));
    pretrainedCache.set(task, p);
  }
  return p;
}

async function translate(msg: Extract<ToWorker, { type: 'translate' }>): Promise<void> {
  await recovering;
  let t: Trainer | null = trainer;
  if (msg.model === 'pretrained') t = await pretrained(config?.task ?? 'dates');
  if (!t) throw new Error('no model yet: choose a task and a model first');
  post({ type: 'translation', translation: await t.translate(msg.id, msg.text, msg.beam) });
}

async function load(msg: Extract<ToWorker, { type: 'load' }>): Promise<void> {
  await recovering;
  const loaded = loadCheckpoint(msg.bytes, backend, { pairs: msg.pairs ?? pairs }).trainer;
  replaceTrainer(loaded);
  config = loaded.config;
  if (msg.pairs) pairs = msg.pairs;
  post({ type: 'model', info: loaded.info() });
  post({ type: 'loaded', id: msg.id, step: loaded.step, config: loaded.config });
  setState('paused');
}

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  const fail = (e: unknown, id?: number) => post({ type: 'error', id, message: (e as Error).message });
  switch (msg.type) {
    case 'init':
      if (msg.baseUrl) baseUrl = msg.baseUrl;
      void init(msg.backend);
      break;
    case 'configure': {
      const r = validateConfig(msg.config);
      if (!r.ok) {
        post({ type: 'config-error', errors: r.errors });
        break;
      }
      config = r.config;
      pairs = msg.pairs;
      const task = config.task;
      if (isRealTaskName(task) && !pairs) {
        // A real task's pairs are fetched lazily, the first time it is chosen.
        const wanted = config;
        fetchRealTaskPairs(task, baseUrl, wanted.maxLen).then(
          (p) => {
            if (config !== wanted) return;
            pairs = p;
            build();
          },
          (e: unknown) => {
            post({ type: 'error', message: (e as Error).message });
            setState('error', (e as Error).message);
          },
        );
        break;
      }
      build();
      break;
    }
    case 'start':
      if (!trainer) build();
      if (!trainer) break;
      setState('training');
      ensureLoop();
      break;
    case 'pause':
      if (state === 'training') setState('paused');
      break;
    case 'step':
      if (!trainer) build();
      if (!trainer) break;
      stepsToRun += msg.count ?? 1;
      ensureLoop();
      break;
    case 'reset':
      state = 'idle';
      stepsToRun = 0;
      build();
      break;
    case 'translate':
      translate(msg).catch((e) => fail(e, msg.id));
      break;
    case 'save':
      // While the loop runs, it answers at its next step boundary; otherwise at once.
      saveRequests.push(msg.id);
      if (!running) void answerSaves();
      break;
    case 'load':
      load(msg).catch((e) => fail(e, msg.id));
      break;
    case 'profile':
      requestProfile(msg.id);
      break;
    case 'simulate-device-loss':
      if (backend.kind === 'webgpu') backend.device.destroy();
      else post({ type: 'error', message: 'there is no GPU device to lose: this run is on the CPU backend' });
      break;
  }
};
