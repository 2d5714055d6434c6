// `npm run bench:acceptance`: trains the runs of issue 4's acceptance with the train CLI (each in
// its own process, as a user runs it), keeps every run's --json log and prints a Markdown table
// of steps, wall time, test exact match and BLEU against the goals. This is a benchmark, not a
// test: it takes about an hour and a half on 2 CPU cores. Exit status 1 when a goal is missed.
//   --only NAME[,NAME]   just these runs (see --help for the names)
//   --jobs N             runs at a time (default 2; each run uses one core on the CPU backend)
//   --backend cpu|wasm|webgpu|auto   passed to the train CLI (default cpu: faster than SwiftShader here)
//   --steps N            override every run's steps (a quick check of the harness; goals then fail)
//   --logs DIR           where the logs go (default docs/runs); --out FILE also writes the table

import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCEPTANCE_RUNS, describeGoal, goalMet, resultsTable, selectRuns, withSteps, type AcceptanceRun, type DoneLine } from './acceptance-runs';
import { fail } from './backend-choice';
import { readOptions } from './options';

interface Options {
  only: string[];
  jobs: number;
  backend: string;
  steps?: number;
  logs: string;
  out?: string;
}

const HELP = `usage: npm run bench:acceptance -- [--only NAME[,NAME]] [--jobs N] [--backend cpu|wasm|webgpu|auto] [--steps N] [--logs DIR] [--out FILE]

Trains issue 4's acceptance runs with the train CLI and prints their test scores against the goals.
Runs: ${ACCEPTANCE_RUNS.map((r) => `\n  ${r.name.padEnd(28)} ${describeGoal(r.goal)}   npm run train -- ${r.args.join(' ')}`).join('')}`;

function wholeNumber(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`${option} must be a whole number ≥ 1, not '${value}'`);
  return n;
}

function parseOptions(argv: readonly string[]): Options {
  let options: ReturnType<typeof readOptions>;
  try {
    options = readOptions(argv, ['only', 'jobs', 'backend', 'steps', 'logs', 'out']);
  } catch (e) {
    fail((e as Error).message);
  }
  if (options === 'help') {
    console.log(HELP);
    process.exit(0);
  }
  const o: Options = { only: [], jobs: 2, backend: 'cpu', logs: 'docs/runs' };
  for (const { name, value } of options) {
    if (name === 'only') o.only = value.split(',').filter(Boolean);
    else if (name === 'jobs') o.jobs = wholeNumber('--jobs', value);
    else if (name === 'steps') o.steps = wholeNumber('--steps', value);
    else if (name === 'logs') o.logs = value;
    else if (name === 'out') o.out = value;
    else if (['cpu', 'wasm', 'webgpu', 'auto'].includes(value)) o.backend = value;
    else fail(`--backend must be cpu, wasm, webgpu or auto, not '${value}'`);
  }
  return o;
}

/** Runs the train CLI with --json, writing its stdout to `log`; resolves with its last (done) line. */
function train(run: AcceptanceRun, o: Options): Promise<DoneLine> {
  const args = [...withSteps(run.args, o.steps), '--backend', o.backend, '--json', '--log-every', '10'];
  const log = join(o.logs, `${run.name}.jsonl`);
  process.stderr.write(`start ${run.name}: npm run train -- ${args.join(' ')} > ${log}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['--import', './tools/wgsl-loader.mjs', 'src/cli/train.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const file = createWriteStream(log);
    let last = '';
    let partial = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      file.write(d);
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      last = lines.filter(Boolean).pop() ?? last;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      file.end();
      if (partial) last = partial;
      let done: Partial<DoneLine> | undefined;
      try {
        done = status === 0 ? (JSON.parse(last) as Partial<DoneLine>) : undefined;
      } catch {
        done = undefined;
      }
      if (done?.done === true) resolve(done as DoneLine);
      else reject(new Error(stderr.trim().split('\n').pop() || `exit status ${status}, no result line`));
    });
  });
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  let runs: AcceptanceRun[];
  try {
    runs = selectRuns(o.only);
  } catch (e) {
    fail((e as Error).message);
  }
  mkdirSync(o.logs, { recursive: true });
  const results: { run: AcceptanceRun; done?: DoneLine; error?: string }[] = runs.map((run) => ({ run }));
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const r = results[next++];
      try {
        r.done = await train(r.run, o);
        process.stderr.write(`done  ${r.run.name}: exact match ${(r.done.exactMatch * 100).toFixed(1)} %, BLEU ${r.done.bleu.toFixed(1)}\n`);
      } catch (e) {
        r.error = (e as Error).message;
        process.stderr.write(`FAIL  ${r.run.name}: ${r.error}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.jobs, runs.length) }, worker));
  const table = resultsTable(results);
  console.log(table);
  if (o.out) writeFileSync(o.out, `${table}\n`);
  process.exit(results.every((r) => r.done && goalMet(r.run.goal, r.done)) ? 0 : 1);
}

void main();
