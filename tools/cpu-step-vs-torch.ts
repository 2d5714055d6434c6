// One training step of the same model on the same batches, ours on the CPU against PyTorch's on the
// CPU, in one run (issue #12's goal: ours ≤ 1.5 × PyTorch). The model: Transformer d_model 64,
// 2 + 2 layers, 4 heads, d_ff 256, batch 64 of dates, Adam, clip_grad_norm_ 1.
//
//   npx tsx --import ./tools/wgsl-loader.mjs tools/cpu-step-vs-torch.ts [--backend wasm|cpu]
//     [--steps N] [--rounds R] [--warmup W] [--threads N] [--json]
//
// Our Trainer (the worker's) is saved as a checkpoint at step 0; tools/torch-step.py loads it with
// tools/parity/seq2seq.py (same parameter values) and runs the batches our Trainer takes, in the
// same order (same BucketBatcher and seed), with torch.set_num_threads(threads). Rounds alternate
// ours and PyTorch's so that both see the same machine load; each side's first W steps of a round
// are warm-up and not counted. The first step's loss is printed for both: same weights, same
// batch, so it must agree (to float32 rounding) — a check that the two steps are the same work.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendName, cpuBackend, createWasmBackend, setDefaultBackend, type Backend } from '../src/engine';
import { BucketBatcher, type HostBatch } from '../src/train/batches';
import { saveCheckpoint } from '../src/train/checkpoint';
import { validateConfig } from '../src/train/config';
import { Trainer } from '../src/train/trainer';

const PYTHON = '/usr/bin/python3';
const MODEL = { task: 'dates', model: 'transformer', layers: 2, dModel: 64, heads: 4, dFF: 256, batch: 64, dropout: 0, maxNorm: 1 } as const;

interface Options {
  backend: 'wasm' | 'cpu';
  steps: number;
  rounds: number;
  warmup: number;
  threads: number;
  json: boolean;
}

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function parse(argv: string[]): Options {
  const o: Options = { backend: 'wasm', steps: 10, rounds: 3, warmup: 2, threads: 2, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const int = (name: string, max: number) => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1 || v > max) fail(`${name} must be an integer in [1, ${max}], not '${argv[i]}'`);
      return v;
    };
    if (a === '--json') o.json = true;
    else if (a === '--steps') o.steps = int('--steps', 1000);
    else if (a === '--rounds') o.rounds = int('--rounds', 100);
    else if (a === '--warmup') o.warmup = int('--warmup', 100);
    else if (a === '--threads') o.threads = int('--threads', 64);
    else if (a === '--backend') {
      const v = argv[++i];
      if (v !== 'wasm' && v !== 'cpu') fail(`--backend must be wasm or cpu, not '${v}'`);
      o.backend = v;
    } else fail(`unknown option '${a}' (--backend, --steps, --rounds, --warmup, --threads, --json)`);
  }
  return o;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function batchJson(hb: HostBatch): object {
  return { size: hb.size, srcLen: hb.srcLen, tgtLen: hb.tgtLen, src: Array.from(hb.src), srcLengths: hb.srcLengths, tgtIn: Array.from(hb.tgtIn), tgtOut: Array.from(hb.tgtOut) };
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const cfg = validateConfig(MODEL);
  if (!cfg.ok) throw new Error(JSON.stringify(cfg.errors));
  const config = cfg.config;
  const backend: Backend = o.backend === 'wasm' ? await createWasmBackend() : cpuBackend;
  setDefaultBackend(backend);
  const trainer = Trainer.create(config, backend);
  const dir = mkdtempSync(join(tmpdir(), 'cpu-step-'));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  try {
    const checkpoint = join(dir, 'model.safetensors');
    writeFileSync(checkpoint, await saveCheckpoint(trainer));
    // The batches our Trainer will take first: its batcher is BucketBatcher(train, batch, seed).
    const batcher = new BucketBatcher(trainer.data.train, config.batch, config.seed);
    const batches = join(dir, 'batches.json');
    writeFileSync(batches, JSON.stringify(Array.from({ length: o.warmup + o.steps }, () => batchJson(batcher.next()))));
    const load0 = loadavg()[0];
    log(`model ${trainer.model.numParameters().toLocaleString()} parameters; ours on ${backendName(backend)} (${backend.adapterName}); load average ${load0.toFixed(2)} on ${cpus().length} CPUs`);
    const ours: number[] = [];
    const torch: number[] = [];
    let oursFirstLoss = NaN;
    let torchFirstLoss = NaN;
    let torchVersion = '';
    for (let r = 0; r < o.rounds; r++) {
      for (let s = 0; s < (r === 0 ? o.warmup : 0) + o.steps; s++) {
        const t0 = performance.now();
        const res = await trainer.trainStep();
        const ms = performance.now() - t0;
        if (res.metrics.step === 1) oursFirstLoss = res.metrics.loss;
        if (r > 0 || s >= o.warmup) ours.push(ms);
      }
      const p = spawnSync(PYTHON, [join(import.meta.dirname, 'torch-step.py'), checkpoint, batches, '--threads', String(o.threads), '--lr', String(config.lr), '--max-norm', String(config.maxNorm)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (p.status !== 0) fail(`torch-step.py: ${(p.stderr || p.error?.message || 'failed').trim().split('\n').pop()}`);
      const t = JSON.parse(p.stdout) as { torch: string; ms: number[]; loss: number[] };
      torchVersion = t.torch;
      torchFirstLoss = t.loss[0];
      torch.push(...t.ms.slice(o.warmup));
      log(`round ${r + 1}/${o.rounds}: ours ${median(ours).toFixed(0)} ms, PyTorch ${median(torch).toFixed(0)} ms (medians so far)`);
    }
    const result = {
      model: MODEL,
      ours: { backend: backendName(backend), adapter: backend.adapterName, median_ms: median(ours), steps: ours.length, first_loss: oursFirstLoss },
      torch: { version: torchVersion, threads: o.threads, median_ms: median(torch), steps: torch.length, first_loss: torchFirstLoss },
      ratio: median(ours) / median(torch),
      host: { cpus: cpus().length, loadavg_start: load0, loadavg_end: loadavg()[0] },
    };
    if (o.json) console.log(JSON.stringify(result, null, 2));
    else {
      console.log(`ours (${result.ours.adapter}): ${result.ours.median_ms.toFixed(0)} ms per step (median of ${ours.length})`);
      console.log(`PyTorch ${torchVersion} CPU, ${o.threads} threads: ${result.torch.median_ms.toFixed(0)} ms per step (median of ${torch.length})`);
      console.log(`ratio ours / PyTorch: ${result.ratio.toFixed(2)}   first-step loss: ours ${oursFirstLoss.toFixed(5)}, PyTorch ${torchFirstLoss.toFixed(5)}`);
      console.log(`load average ${load0.toFixed(2)} → ${result.host.loadavg_end.toFixed(2)} on ${cpus().length} CPUs`);
    }
  } finally {
    trainer.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => fail((e as Error).message.split('\n')[0]));
