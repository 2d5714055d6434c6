// The CLIs as a user runs them: separate processes (`tsx src/cli/train.ts ...`, what `npm run
// train` runs), their exit statuses (0 done, 2 bad options or files, 3 non-finite), the one-line
// `error: ...` on stderr, the --json lines, and checkpoints saved, continued and translated.
// Everything runs on the CPU backend with a tiny Transformer, so each run takes a second or two.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../train/config';
import { Trainer } from '../train/trainer';
import { cpuBackend } from '../engine';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The local tsx is what `npx tsx` resolves to, without npx's half-second start-up.
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

const TINY = ['--backend', 'cpu', '--task', 'copy', '--layers', '1', '--d-model', '16', '--heads', '2', '--d-ff', '32', '--batch', '8', '--max-len', '12'];
/** SGD at the largest allowed rate without clipping: the loss overflows within a few steps (step 6 with seed 1). */
const DIVERGING = [...TINY, '--optimizer', 'sgd', '--lr', '10', '--momentum', '0', '--clip', 'none', '--schedule', 'constant', '--warmup', '0'];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(script: 'train' | 'translate', args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['--import', './tools/wgsl-loader.mjs', `src/cli/${script}.ts`, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const train = (...args: string[]) => cli('train', args);

/** Exit status 2, nothing on stdout, exactly one `error: ...` line on stderr matching `message`. */
function expectUsageError(r: Run, message: RegExp): void {
  expect(r.stderr.split('\n').filter(Boolean), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^error: .+\n$/);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe('');
  expect(r.status).toBe(2);
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  const lines = stdout.split('\n').filter(Boolean);
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ap-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, bytes: Uint8Array | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

/** A sparse file of `size` bytes (nothing written to disk): for the size limits checked before reading. */
const sparse = (name: string, size: number) => {
  const p = file(name, '');
  truncateSync(p, size);
  return p;
};

describe('bad options: exit status 2 and one error line', () => {
  const cases: [string, string[], RegExp][] = [
    ['negative learning rate', ['--lr', '-0.5'], /--lr: must be ≥ 0/],
    ['infinite learning rate', ['--lr', 'Infinity'], /--lr: .*Infinity/],
    ['clip range lo > hi', ['--clip', 'range', '--clip-range', '1,0'], /clip range lower bound \(1\) must be below the upper bound \(0\)/],
    ['max norm 0', ['--max-norm', '0'], /--max-norm: must be > 0/],
    ['heads not dividing d_model', ['--d-model', '16', '--heads', '3'], /heads \(3\) must divide d_model \(16\)/],
    ['zero d_model', ['--d-model', '0'], /--d-model: must be at least 1/],
    ['zero layers', ['--layers', '0'], /--layers: must be at least 1/],
    ['zero batch', ['--batch', '0'], /--batch: must be at least 1/],
    ['negative d_ff', ['--d-ff', '-4'], /--d-ff: must be at least 1/],
    ['steps < 0', ['--steps', '-1'], /--steps: must be ≥ 0/],
    ['unknown task', ['--task', 'klingon'], /--task: .*"klingon"/],
    ['unknown cell', ['--model', 'rnn', '--cell', 'rnn9'], /--cell: .*"rnn9"/],
    ['unknown option', ['--colour', 'red'], /unknown option --colour/],
    ['missing value at the end', ['--steps', '3', '--lr'], /--lr needs a value/],
    ['missing value before the next option', ['--lr', '--steps', '3'], /--lr needs a value/],
    ['not a number', ['--max-norm', 'big'], /--max-norm: .*non-number/],
    ['unknown backend', ['--backend', 'tpu'], /--backend must be webgpu, wasm, cpu or auto/],
    ['a group pattern RE2 cannot run', ['--clip', 'range', '--clip-group', '/(a)\\1/'], /--clip-group: not a valid regular expression: /],
  ];
  for (const [name, args, message] of cases) {
    it.concurrent(name, async () => expectUsageError(await train(...TINY, '--steps', '3', ...args), message));
  }
});

describe('bad files: exit status 2 and one error line', () => {
  it.concurrent('--pairs: missing, empty, binary, invalid UTF-8, no tab, only blank lines', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const cases: [string, RegExp][] = [
      [join(dir, 'nope.tsv'), /--pairs .*nope\.tsv: cannot read the file \(ENOENT\)/],
      [file('empty.tsv', ''), /--pairs .*: the file is empty/],
      [file('image.tsv', png), /--pairs .*: line 1 is not valid UTF-8/],
      [file('nul.tsv', 'a\tb\nc\0\td\n'), /--pairs .*: line 2 contains a NUL byte/],
      [file('latin1.tsv', new Uint8Array([0x61, 0x09, 0x62, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x09, 0x78, 0x0a])), /line 2 is not valid UTF-8/],
      [file('notab.tsv', 'a\tb\nno tab here\n'), /line 2 has no tab/],
      [file('blank.tsv', '\n\r\n   \n'), /the file has only blank lines \(3 lines\)/],
      [dir, /not a regular file/],
      [sparse('huge.tsv', 2 ** 31), /--pairs .*huge\.tsv: the file has 2048 MiB, more than the 256 MiB a pair file may have/],
    ];
    const runs = await Promise.all(cases.map(([p]) => train(...TINY, '--steps', '1', '--pairs', p)));
    runs.forEach((r, i) => expectUsageError(r, cases[i][1]));
  });

  it.concurrent('--load: missing, empty, truncated, garbage, header not JSON, another option alongside', async () => {
    const header = new TextEncoder().encode('{not json}     ');
    const notJson = new Uint8Array(8 + header.length);
    new DataView(notJson.buffer).setBigUint64(0, BigInt(header.length), true);
    notJson.set(header, 8);
    const tooLong = new Uint8Array(64);
    new DataView(tooLong.buffer).setBigUint64(0, 1000n, true);
    const garbage = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
    const cases: [string[], RegExp][] = [
      [['--load', join(dir, 'nope.safetensors')], /--load: cannot read .*nope\.safetensors \(ENOENT\)/],
      [['--load', file('empty.safetensors', '')], /--load .*: checkpoint: not a valid \.safetensors file/],
      [['--load', file('garbage.safetensors', garbage)], /--load .*: checkpoint: not a valid \.safetensors file/],
      [['--load', file('long-header.safetensors', tooLong)], /--load .*: checkpoint: not a valid \.safetensors file: the header length 1000/],
      [['--load', file('not-json.safetensors', notJson)], /--load .*: checkpoint: not a valid \.safetensors file/],
      [['--load', file('other.safetensors', notJson), '--lr', '0.1'], /only --steps .* may go with it, not --lr/],
      [['--load', sparse('huge.safetensors', 3 * 2 ** 30)], /--load: .*huge\.safetensors: checkpoint: the file has 3 GiB, more than the 2 GiB it may have/],
    ];
    const runs = await Promise.all(cases.map(([a]) => train('--backend', 'cpu', ...a)));
    runs.forEach((r, i) => expectUsageError(r, cases[i][1]));
  });
});

describe('numerical faults', () => {
  it.concurrent('a diverging run stops with exit status 3, naming the step and the first non-finite parameter', async () => {
    const r = await train(...DIVERGING, '--steps', '40', '--json');
    expect(r.status, r.stderr).toBe(3);
    const lines = jsonLines(r.stdout);
    const m = /^error: step (\d+): the loss or gradients became non-finite \(first non-finite gradient: ([\w.]+)\)\n$/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const step = Number(m![1]);
    // Every step before the failing one was logged (--json logs each step), none after it.
    expect(lines.map((l) => l.step)).toEqual(Array.from({ length: step - 1 }, (_, i) => i + 1));
    expect(lines.every((l) => l.skipped === false)).toBe(true);
    expect(lines.some((l) => l.done)).toBe(false);
    const cfg = validateConfig({ task: 'copy', layers: 1, dModel: 16, heads: 2, dFF: 32, batch: 8, maxLen: 12 });
    if (!cfg.ok) throw new Error('bad test config');
    const t = Trainer.create(cfg.config, cpuBackend);
    const names = t.paramNames;
    t.dispose();
    expect(names).toContain(m![2]);
  });

  it.concurrent('--non-finite skip carries on to the last step and counts the skipped steps', async () => {
    const r = await train(...DIVERGING, '--steps', '9', '--json', '--non-finite', 'skip');
    expect(r.status, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const steps = lines.filter((l) => !l.done);
    const done = lines.at(-1)!;
    expect(steps.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const skipped = steps.filter((l) => l.skipped).length;
    expect(skipped).toBeGreaterThan(0);
    expect(done.done).toBe(true);
    expect(done.steps).toBe(9);
    expect(done.skippedSteps).toBe(skipped);
  });
});

describe('a hostile parameter-group pattern', () => {
  // /^(\w+\.?)+$_/ backtracks for > 20 s per long name in JS's RegExp (issue #16); through RE2 the
  // run starts at once: matching no parameter is refused, and with an alternative that matches
  // (which JS's RegExp would only try after the exponential first branch) it trains.
  it.concurrent('is refused when it matches nothing, and trains when it matches', async () => {
    const hostile = '/^(\\w+\\.?)+$_/';
    const [none, some] = await Promise.all([
      train(...TINY, '--steps', '2', '--clip', 'range', '--clip-group', hostile),
      train(...TINY, '--steps', '2', '--json', '--clip', 'range', '--clip-group', '/^(\\w+\\.?)+$_|weight/'),
    ]);
    expectUsageError(none, /clip group '.*' matches no parameter of this model/);
    expect(some.status, some.stderr).toBe(0);
    expect(jsonLines(some.stdout).at(-1)!.steps).toBe(2);
  });
});

describe('runs that succeed', () => {
  const ckpt = () => join(dir, 'run.safetensors');
  let saved: Promise<Run> | null = null;
  const trainAndSave = () => (saved ??= train(...TINY, '--steps', '3', '--lr', '0.01', '--json', '--save', ckpt()));

  it.concurrent('--json: one valid JSON object per step and a final summary with the required fields', async () => {
    const r = await trainAndSave();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(4);
    for (const [i, l] of lines.slice(0, 3).entries()) {
      expect(l.step).toBe(i + 1);
      for (const k of ['loss', 'lr', 'gradNormPre', 'gradNormPost', 'ms']) {
        expect(typeof l[k], k).toBe('number');
        expect(Number.isFinite(l[k]), k).toBe(true);
      }
      // inverse-sqrt warm-up over 100 steps: lr = 0.01 · step / 100
      expect(l.lr).toBeCloseTo(0.0001 * (i + 1), 10);
    }
    const done = lines[3];
    expect(done.done).toBe(true);
    expect(done.steps).toBe(3);
    for (const k of ['trainLoss', 'validLoss', 'tokenAccuracy', 'exactMatch', 'bleu']) expect(typeof done[k], k).toBe('number');
    expect(done.trainLoss).toBe(lines[2].loss);
    expect(done.backend).toBe('cpu');
    expect(typeof done.adapter).toBe('string');
    expect(done.adapter).not.toBe('');
  });

  it.concurrent('--save, then --load --steps N continues from the saved step', async () => {
    expect((await trainAndSave()).status).toBe(0);
    const r = await train('--backend', 'cpu', '--load', ckpt(), '--steps', '2', '--json');
    expect(r.status, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.filter((l) => !l.done).map((l) => l.step)).toEqual([4, 5]);
    expect(lines.at(-1)!.steps).toBe(5);
  });

  it.concurrent('translate prints the translation and its alignment table from a saved checkpoint; exit 2 on a bad one', async () => {
    expect((await trainAndSave()).status).toBe(0);
    const r = await cli('translate', ['--backend', 'cpu', '--checkpoint', ckpt(), '--text', 'a b c']);
    expect(r.status, r.stderr).toBe(0);
    const [, blank, head, ...rows] = r.stdout.trimEnd().split('\n');
    expect(blank).toBe('');
    // Header: the source tokens; then one row per output token with one percentage per column.
    expect(head.trim().split(/\s+/)).toEqual(['a', 'b', 'c', '<eos>']);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const cells = row.trim().split(/\s+/).slice(-4).map(Number);
      expect(cells.every((c) => Number.isInteger(c) && c >= 0 && c <= 100)).toBe(true);
      const sum = cells.reduce((a, b) => a + b, 0);
      expect(sum).toBeGreaterThanOrEqual(97); // rounded percentages of a softmax row
      expect(sum).toBeLessThanOrEqual(103);
    }
    const whole = readFileSync(ckpt());
    const truncated = file('truncated.safetensors', whole.subarray(0, Math.floor(whole.length / 2)));
    const bad = await cli('translate', ['--backend', 'cpu', '--checkpoint', truncated, '--text', 'a b c']);
    expectUsageError(bad, /--checkpoint .*truncated\.safetensors: checkpoint: not a valid \.safetensors file/);
    const missing = await cli('translate', ['--backend', 'cpu', '--checkpoint', join(dir, 'none'), '--text', 'a']);
    expectUsageError(missing, /--checkpoint: cannot read/);
    // an unknown option is named as such, even as the last argument (no value after it)
    expectUsageError(await cli('translate', ['--checkpoint', ckpt(), '--text', 'a', '--bogus']), /unknown option --bogus/);
  });

  it.concurrent('--load of a truncated checkpoint: exit 2', async () => {
    expect((await trainAndSave()).status).toBe(0);
    const whole = readFileSync(ckpt());
    const cut = file('cut.safetensors', whole.subarray(0, whole.length - 100));
    expectUsageError(await train('--backend', 'cpu', '--load', cut, '--steps', '1'), /--load .*cut\.safetensors: checkpoint: not a valid \.safetensors file/);
  });
});
