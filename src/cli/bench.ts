// `npm run bench`: our kernels against tfjs-backend-webgpu in one Chromium page (bench/run.ts).
//   npm run bench                 table
//   npm run bench -- --json       the BenchResult as JSON on stdout (progress goes to stderr;
//                                 `npm run -s bench -- --json` keeps npm's banner off stdout)
//   --out FILE                    also write the JSON to FILE
//   --reduced (or CI=true)        a tiny run proving the harness works, no timing claims
//   --reps N                      timed repetitions per measurement (median reported)
//   --suites matmul,attention     run only these suites (also train_step, and cpu_matmul: the
//                                 WebAssembly backend's matmul in Node; train_step also gets
//                                 rows with backend "wasm", run in Node)
//   --no-autotune, --no-tfjs      skip our matmul autotuning / the tfjs side
//   --profile                     GPU time per kernel of one training step per model (timestamp queries)
// The adapter and the git commit are printed with the results.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { cpuMatmulRows, cpuTrainStepRows } from '../../bench/cpu-bench';
import { runBench, type BenchOptions } from '../../bench/run';
import type { BenchResult } from '../../bench/types';
import { createWasmBackend } from '../engine';

interface CliArgs extends BenchOptions {
  json: boolean;
  out?: string;
}

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { json: false, reduced: process.env.CI === 'true' || process.env.CI === '1' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--reduced') args.reduced = true;
    else if (a === '--out') args.out = value();
    else if (a === '--reps') {
      args.reps = Number(value());
      if (!Number.isInteger(args.reps) || args.reps < 1) throw new Error('--reps must be a positive integer');
    } else if (a === '--suites') args.suites = value().split(',');
    else if (a === '--no-autotune') args.autotune = false;
    else if (a === '--no-tfjs') args.tfjs = false;
    else if (a === '--profile') args.profile = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench -- [--json] [--out FILE] [--reduced] [--reps N] [--suites matmul,attention,train_step,cpu_matmul] [--no-autotune] [--no-tfjs] [--profile]');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  return args;
}

/** The result skeleton when no page suite runs (only cpu_matmul asked for). */
function emptyResult(args: CliArgs): BenchResult {
  return {
    adapter: '—', architecture: '', tfjs_adapter: '—', user_agent: `node ${process.version}`, date: new Date().toISOString(),
    reduced: args.reduced, reps: args.reps ?? (args.reduced ? 2 : 5), autotune: null, matmul: [], matmul_variants: [], attention: [], train_step: [],
    step: null, dispatches_per_step: null, submits_per_step: null, readbacks_per_step: null, gpu_bytes_peak: null, notes: [],
  };
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}

const fmt = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '—' : x.toFixed(digits));
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? `${(a / b).toFixed(2)}×` : '—');

const TEXT_COLUMNS = new Set(['problem', 'best', 'm×n×k', 'layout', 'variant', 'what', 'note', 'model', 'kernel', 'size']);

function table(headers: string[], rows: string[][]): string {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (TEXT_COLUMNS.has(headers[i]) ? c.padEnd(w[i]) : c.padStart(w[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

function printTable(r: BenchResult): void {
  console.log(`adapter: ${r.adapter} [${r.architecture}]; tfjs: ${r.tfjs_adapter}`);
  console.log(`commit: ${r.commit}; date: ${r.date}; reps: ${r.reps} (median)${r.reduced ? '; REDUCED run (no timing claims)' : ''}`);
  if (r.host) console.log(`host: ${r.host.cpus} CPUs, load average ${r.host.loadavg_start.toFixed(2)} → ${r.host.loadavg_end.toFixed(2)}`);
  if (r.autotune) {
    console.log('\nmatmul autotune (ms per run):');
    console.log(
      table(
        ['problem', 'best', ...Object.keys(r.autotune[0]?.ms ?? {})],
        r.autotune.map((e) => [e.label, e.best, ...Object.values(e.ms).map((v) => fmt(v))]),
      ),
    );
  }
  if (r.matmul.length) {
    console.log('\nmatmul (GFLOP/s):');
    console.log(
      table(
        ['m×n×k', 'layout', 'ours', 'tfjs', 'ours/tfjs', 'variant', 'what'],
        r.matmul.map((m) => [
          `${m.batch > 1 ? `${m.batch}×` : ''}${m.m}×${m.n}×${m.k}`,
          m.layout,
          fmt(m.ours_gflops),
          fmt(m.tfjs_gflops),
          ratio(m.ours_gflops, m.tfjs_gflops),
          m.variant,
          m.what,
        ]),
      ),
    );
  }
  if (r.matmul_variants.length) {
    const v0 = r.matmul_variants[0];
    const tfjs = r.matmul.find((m) => m.m === v0.m && m.n === v0.n && m.k === v0.k && m.batch === 1 && m.layout === 'NN');
    console.log(`\nmatmul variants at ${v0.m}×${v0.n}×${v0.k} (GFLOP/s; tfjs ${fmt(tfjs?.tfjs_gflops)}):`);
    console.log(
      table(
        ['variant', 'ours', 'ms', 'ours/tfjs'],
        r.matmul_variants.map((v) => [v.variant, fmt(v.ours_gflops), fmt(v.ours_ms, 1), ratio(v.ours_gflops, tfjs?.tfjs_gflops)]),
      ),
    );
  }
  if (r.attention.length) {
    console.log('\nattention forward+backward (ms):');
    console.log(
      table(
        ['b', 'h', 't', 'd', 'ours', 'tfjs', 'tfjs/ours', 'dispatches', 'note'],
        r.attention.map((a) => [
          String(a.b),
          String(a.h),
          String(a.t),
          String(a.d),
          fmt(a.ours_ms, 1),
          fmt(a.tfjs_ms, 1),
          ratio(a.tfjs_ms, a.ours_ms),
          String(a.counters?.dispatches ?? '—'),
          a.note ?? '',
        ]),
      ),
    );
  }
  if (r.cpu_matmul?.length) {
    console.log('\nmatmul on the WebAssembly CPU backend (GFLOP/s; through the op, copies included):');
    console.log(
      table(
        ['m×n×k', 'layout', 'ours', 'ms', 'threads', 'what'],
        r.cpu_matmul.map((m) => [`${m.m}×${m.n}×${m.k}`, m.layout, fmt(m.ours_gflops), fmt(m.ours_ms, 3), String(m.threads), m.what]),
      ),
    );
  }
  if (r.train_step.length) {
    console.log('\ntrain step (forward, backward, clip by global norm, Adam; ms per step; pipelined = one step in flight while the next is encoded):');
    console.log(
      table(
        ['model', 'params', 'tokens', 'ours', 'tfjs', 'tfjs/ours', 'ours pipe', 'tfjs pipe', 'ours tok/s', 'tfjs tok/s', 'dispatches', 'submits', 'readbacks', 'live MB', 'peak MB'],
        r.train_step.map((s) => [
          s.backend === 'wasm' ? `${s.model} (wasm)` : s.model,
          String(s.params),
          String(s.tokens),
          fmt(s.ours_ms, 1),
          fmt(s.tfjs_ms, 1),
          ratio(s.tfjs_ms, s.ours_ms),
          fmt(s.ours_pipelined_ms, 1),
          fmt(s.tfjs_pipelined_ms, 1),
          fmt(s.ours_tokens_per_s, 0),
          fmt(s.tfjs_tokens_per_s, 0),
          String(s.counters.dispatches),
          String(s.counters.submits),
          String(s.counters.readbacks),
          fmt(s.gpu_bytes_live / 2 ** 20, 2),
          fmt(s.counters.gpu_bytes_peak / 2 ** 20, 2),
        ]),
      ),
    );
    console.log(
      table(
        ['model', 'size'],
        r.train_step.map((s) => [s.model, Object.entries(s.config).map(([k, v]) => `${k} ${v}`).join(', ')]),
      ),
    );
    for (const s of r.train_step) {
      const p = s.profile;
      if (!p) continue;
      console.log(
        `\nprofile ${s.model}: ${fmt(p.gpu_ms, 1)} ms GPU in ${p.dispatches} dispatches${p.untimed ? ` (${p.untimed} untimed: past the profiler's capacity)` : ''}, one pass per dispatch (wall ${fmt(p.wall_ms, 1)} ms)`,
      );
      console.log(
        table(
          ['share', 'ms', 'calls', 'mean ms', 'kernel'],
          p.kernels.map((k) => [`${(100 * k.share).toFixed(1)} %`, fmt(k.total_ms, 2), String(k.calls), fmt(k.mean_ms, 3), k.label]),
        ),
      );
    }
  }
  if (r.step) {
    console.log(
      `\nper step (${r.step}): ${r.dispatches_per_step} dispatches, ${r.submits_per_step} submits, ${r.readbacks_per_step} readbacks, peak ${fmt((r.gpu_bytes_peak ?? 0) / 2 ** 20, 2)} MB`,
    );
  }
  for (const n of r.notes) console.log(`note: ${n}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const commit = gitCommit();
  console.error(`[bench] commit ${commit}${args.reduced ? ' (reduced run)' : ''}`);
  const loadStart = loadavg()[0];
  const wants = (suite: string) => !args.suites || args.suites.includes(suite);
  const pageSuites = ['matmul', 'attention', 'train_step'].filter(wants);
  const log = (line: string) => console.error(line);
  const result = pageSuites.length ? await runBench({ ...args, suites: args.suites ? pageSuites : undefined, log }) : emptyResult(args);
  if (wants('cpu_matmul') || wants('train_step')) {
    // The WebAssembly backend, in this Node process (src/engine/wasm/).
    const wasm = await createWasmBackend();
    const reps = args.reps ?? (args.reduced ? 2 : 5);
    log(`[bench] WebAssembly backend: ${wasm.adapterName}`);
    if (wants('cpu_matmul')) result.cpu_matmul = await cpuMatmulRows(wasm, args.reduced, reps, log);
    if (wants('train_step')) result.train_step.push(...(await cpuTrainStepRows(wasm, args.reduced, reps, log)));
    result.notes.push(`cpu_matmul and the train_step rows with backend "wasm": ${wasm.adapterName}, in Node ${process.version}`);
  }
  result.commit = commit;
  result.host = { cpus: cpus().length, loadavg_start: loadStart, loadavg_end: loadavg()[0] };
  console.error(`[bench] adapter ${result.adapter}`);
  const json = JSON.stringify(result, null, 2);
  if (args.out) writeFileSync(args.out, `${json}\n`);
  if (args.json) console.log(json);
  else printTable(result);
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
