// The benchmark page: our engine and tfjs-backend-webgpu in one page and one run, each on its own
// device from the same adapter. Reads its settings from the query string, logs progress to the
// console (the CLI relays it), and leaves the result in window.__benchResult.

import { acquireGpu } from '../src/engine/gpu/device';
import { GpuBackend } from '../src/engine/gpu/gpu-backend';
import { autotuneMatmul } from '../src/engine/ops/matmul';
import { attentionCases, attentionRows } from './attention-bench';
import { matmulCases, matmulRows, matmulVariantRows } from './matmul-bench';
import { initTfjs } from './tfjs-side';
import { trainStepRows } from './train-step-bench';
import type { BenchResult, BenchWindow } from './types';

const logEl = document.getElementById('log');
function log(line: string): void {
  console.log(line);
  if (logEl) logEl.textContent += `${line}\n`;
}

async function main(): Promise<BenchResult> {
  const q = new URLSearchParams(location.search);
  const reduced = q.get('reduced') === '1';
  const reps = Number(q.get('reps') ?? (reduced ? 2 : 5));
  const suites = new Set((q.get('suites') ?? 'matmul,attention,train_step').split(','));
  const withTfjs = q.get('tfjs') !== '0';
  const tune = q.get('autotune') !== '0' && !reduced;
  const profile = q.get('profile') === '1';
  const notes: string[] = [];

  const ctx = await acquireGpu();
  const backend = new GpuBackend(ctx);
  log(`[bench] ours: ${ctx.adapterName} [${ctx.architecture}]`);
  let tfjsAdapter = 'not run';
  if (withTfjs) {
    tfjsAdapter = (await initTfjs()).adapter;
    log(`[bench] tfjs-backend-webgpu: ${tfjsAdapter}`);
  }

  let autotune: BenchResult['autotune'] = null;
  if (tune) {
    const table = await autotuneMatmul(backend, { force: true, noStorage: true, log });
    autotune = table.entries.map((e) => ({ label: e.label, best: e.best, ms: e.ms as Record<string, number> }));
  } else {
    notes.push('matmul autotuning off: default variant selection');
  }

  const matmul = suites.has('matmul') ? await matmulRows(backend, matmulCases(reduced), reps, withTfjs, log) : [];
  const variants = suites.has('matmul') ? await matmulVariantRows(backend, reduced ? 128 : 512, reps, log) : [];
  const attention = suites.has('attention') ? await attentionRows(backend, attentionCases(reduced), reps, withTfjs, log) : [];
  const train = suites.has('train_step') ? await trainStepRows(backend, reduced, reps, withTfjs, log, profile) : [];

  // "Per step": a training step once there are model benches; until then the largest attention fwd+bwd.
  const withCounters = attention.filter((r) => r.counters);
  const stepRow = train[0] ?? null;
  const attnRow = withCounters[withCounters.length - 1] ?? null;
  const counters = stepRow?.counters ?? attnRow?.counters ?? null;
  const step = stepRow
    ? `train_step ${stepRow.model}`
    : attnRow
      ? `attention fwd+bwd b=${attnRow.b} h=${attnRow.h} t=${attnRow.t} d=${attnRow.d}`
      : null;

  backend.destroy();
  return {
    adapter: ctx.adapterName,
    architecture: ctx.architecture,
    tfjs_adapter: tfjsAdapter,
    user_agent: navigator.userAgent,
    date: new Date().toISOString(),
    reduced,
    reps,
    autotune,
    matmul,
    matmul_variants: variants,
    attention,
    train_step: train,
    step,
    dispatches_per_step: counters?.dispatches ?? null,
    submits_per_step: counters?.submits ?? null,
    readbacks_per_step: counters?.readbacks ?? null,
    gpu_bytes_peak: counters?.gpu_bytes_peak ?? null,
    notes,
  };
}

const w = window as unknown as BenchWindow;
main().then(
  (r) => {
    w.__benchResult = r;
    log('[bench] done');
  },
  (e: unknown) => {
    const msg = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    w.__benchError = msg;
    log(`[bench] failed: ${msg}`);
  },
);
