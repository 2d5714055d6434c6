// `npm run device:bench` (and device-bundle/run.sh, the self-contained bundle a lent GPU machine
// runs; see DEVELOPERS.md): the engine's benchmarks under Node on whatever adapter Dawn finds,
// without Chromium or tfjs: every matmul kernel checked against the CPU reference, matmul
// autotuning and throughput, attention forward+backward, the training steps of
// bench/train-step-bench.ts, and one real-data training run. Prints one JSON
// object on stdout (progress on stderr) and writes it to --out DIR/device-bench.json after every
// suite, so a run cut short still leaves what it measured.
//   --out DIR             also write DIR/device-bench.json
//   --suites LIST         check,matmul,attention,train_step,train (default all)
//   --reps N              timed repetitions per measurement (median; default 5)
//   --reduced             tiny sizes: proves the harness, no timing claims
//   --no-autotune         default matmul variant selection instead of tuning on this adapter
//   --train-seconds S     wall-time cap of the training run (default 240)
//   -- TRAIN OPTIONS      the training run's options, as `npm run train` takes them
//                         (e.g. -- --pairs data/tatoeba-eng-fra-2500.tsv --model transformer --steps 400)

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { attentionCases, attentionRows } from '../../bench/attention-bench';
import { matmulCheckRows, type MatmulCheckRow } from '../../bench/matmul-check';
import { matmulCases, matmulRows, matmulVariantRows } from '../../bench/matmul-bench';
import { trainStepRows } from '../../bench/train-step-bench';
import type { BenchResult } from '../../bench/types';
import { acquireGpu, GpuBackend, type GpuContext } from '../engine';
import { autotune } from '../engine/gpu/autotune';
import { matmulTunable, matmulVariantsOn } from '../engine/ops/matmul';
import { fail } from './backend-choice';
import { DEVICE_BENCH_HELP, parseDeviceBenchArgs, type DeviceBenchOptions } from './device-bench-args';
import { trainRun, type TrainRunResult } from './device-train-run';

/** The commit the bundle was built from (set by tools/device/build-bundle.mjs), else git's. */
function commit(): string {
  if (process.env.AP_BUNDLE_COMMIT) return process.env.AP_BUNDLE_COMMIT;
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function adapterReport(ctx: GpuContext) {
  const info = ctx.adapter.info as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  const l = ctx.adapter.limits;
  return {
    name: ctx.adapterName,
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    subgroup_min_size: info.subgroupMinSize ?? null,
    subgroup_max_size: info.subgroupMaxSize ?? null,
    adapter_features: [...ctx.adapter.features].sort(),
    device_features: [...ctx.features].sort(),
    limits: {
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
    },
  };
}

type Rows = Pick<BenchResult, 'autotune' | 'matmul' | 'matmul_variants' | 'attention' | 'train_step'>;

export interface DeviceBenchResult extends Rows {
  kind: 'device-bench';
  commit: string;
  date: string;
  reduced: boolean;
  reps: number;
  host: { node: string; platform: string; cpus: number; cpu_model: string; loadavg_start: number; loadavg_end: number; vk_icd: string | null };
  adapter: ReturnType<typeof adapterReport>;
  /** Each matmul kernel against the CPU reference on this adapter. */
  matmul_check: MatmulCheckRow[];
  training: TrainRunResult | null;
  /** Suites that threw: their message (the others still ran). */
  errors: Record<string, string>;
  seconds: number;
}

async function main(): Promise<void> {
  let options: DeviceBenchOptions | 'help';
  try {
    options = parseDeviceBenchArgs(process.argv.slice(2));
  } catch (e) {
    fail((e as Error).message);
  }
  if (options === 'help') {
    process.stdout.write(`${DEVICE_BENCH_HELP}\n`);
    return;
  }
  const o = options;
  // Stdout carries the JSON alone: the bench modules' console.log progress goes to stderr.
  const log = (line: string) => process.stderr.write(`${line}\n`);
  console.log = (...a: unknown[]) => log(a.map(String).join(' '));
  const t0 = performance.now();
  let ctx: GpuContext;
  try {
    ctx = await acquireGpu();
  } catch (e) {
    fail((e as Error).message, 1);
  }
  const backend = new GpuBackend(ctx);
  const result: DeviceBenchResult = {
    kind: 'device-bench',
    commit: commit(),
    date: new Date().toISOString(),
    reduced: o.reduced,
    reps: o.reps,
    host: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      loadavg_start: loadavg()[0],
      loadavg_end: loadavg()[0],
      vk_icd: process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES ?? null,
    },
    adapter: adapterReport(ctx),
    matmul_check: [],
    autotune: null,
    matmul: [],
    matmul_variants: [],
    attention: [],
    train_step: [],
    training: null,
    errors: {},
    seconds: 0,
  };
  log(`[device-bench] adapter: ${ctx.adapterName} [${ctx.architecture}]; features: ${result.adapter.adapter_features.join(' ')}`);
  const save = () => {
    result.host.loadavg_end = loadavg()[0];
    result.seconds = (performance.now() - t0) / 1000;
    if (!o.out) return;
    mkdirSync(o.out, { recursive: true });
    writeFileSync(join(o.out, 'device-bench.json'), `${JSON.stringify(result, null, 2)}\n`);
  };
  const suite = async (name: string, run: () => Promise<void>) => {
    if (!o.suites.has(name)) return;
    const s0 = performance.now();
    try {
      await run();
    } catch (e) {
      result.errors[name] = (e as Error).message ?? String(e);
      log(`[device-bench] ${name} failed: ${result.errors[name]}`);
    }
    log(`[device-bench] ${name}: ${((performance.now() - s0) / 1000).toFixed(1)} s`);
    save();
  };
  save();
  await suite('check', async () => {
    result.matmul_check = await matmulCheckRows(backend, log);
    const wrong = result.matmul_check.filter((r) => !r.ok).map((r) => r.variant);
    if (wrong.length) throw new Error(`matmul kernels wrong on this adapter: ${wrong.join(', ')} (their timings below are not usable)`);
  });
  await suite('matmul', async () => {
    if (o.autotune && !o.reduced) {
      // A kernel the check found wrong on this adapter is no candidate.
      const wrong = new Set(result.matmul_check.filter((r) => !r.ok).map((r) => r.variant));
      const candidates = (b: GpuBackend) => matmulVariantsOn(b).filter((v) => !wrong.has(v));
      const table = await autotune(backend, { ...matmulTunable, candidates }, { force: true, noStorage: true, log });
      result.autotune = table.entries.map((e) => ({ label: e.label, best: e.best, ms: e.ms as Record<string, number> }));
    }
    result.matmul = await matmulRows(backend, matmulCases(o.reduced), o.reps, false, log);
    result.matmul_variants = await matmulVariantRows(backend, o.reduced ? 128 : 512, o.reps, log);
  });
  await suite('attention', async () => {
    result.attention = await attentionRows(backend, attentionCases(o.reduced), o.reps, false, log);
  });
  await suite('train_step', async () => {
    result.train_step = await trainStepRows(backend, o.reduced, o.reps, false, log);
  });
  await suite('train', async () => {
    result.training = await trainRun(backend, { args: o.trainArgs, maxSeconds: o.trainSeconds, log });
    const t = result.training;
    log(`[train] ${t.steps} steps in ${t.seconds.toFixed(1)} s: ${t.ms_per_step?.toFixed(1)} ms/step, ${t.tokens_per_s?.toFixed(0)} tok/s; valid loss ${t.valid.loss.toFixed(3)}, test BLEU ${t.test.bleu.toFixed(1)}`);
  });
  backend.destroy();
  save();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (Object.keys(result.errors).length) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => fail((e as Error).message ?? String(e), 1),
);
