// The batch CLIs as a user runs them: `translate --input FILE` (one translation per line, same
// order, empty lines kept) and `evaluate --pairs FILE` (multi-reference scores), with their
// exit status 2 and one `error: ...` line for bad input. A tiny copy-task model is trained
// in-process on the CPU backend and saved for them.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '../engine';
import { validateConfig } from '../train/config';
import { saveCheckpoint } from '../train/checkpoint';
import { Trainer } from '../train/trainer';
import { groupBySource, scoreTranslations } from '../train/score';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(script: 'translate' | 'evaluate', args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['--import', './tools/wgsl-loader.mjs', `src/cli/${script}.ts`, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function expectUsageError(r: Run, message: RegExp): void {
  expect(r.stderr.split('\n').filter(Boolean), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^error: .+\n$/);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe('');
  expect(r.status).toBe(2);
}

let dir: string;
let ckpt: string;
let trainer: Trainer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ap-batch-'));
  const r = validateConfig({ task: 'copy', layers: 1, dModel: 16, heads: 2, dFF: 32, batch: 8, maxLen: 14, lr: 0.01, warmup: 5 });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  trainer = Trainer.create(r.config, cpuBackend);
  for (let i = 0; i < 30; i++) await trainer.trainStep();
  ckpt = join(dir, 'copy.safetensors');
  writeFileSync(ckpt, await saveCheckpoint(trainer, { optimizer: false }));
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  trainer.dispose();
});

describe('translate --input', { timeout: 240_000 }, () => {
  it('prints one translation per input line, in order, an empty line for an empty line', async () => {
    const input = join(dir, 'in.txt');
    writeFileSync(input, 'a b c\r\n\nd e f g\n');
    const r = await cli('translate', ['--checkpoint', ckpt, '--input', input, '--backend', 'cpu']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const expected = [(await trainer.translate(0, 'a b c')).text, '', (await trainer.translate(2, 'd e f g')).text];
    expect(r.stdout).toBe(expected.map((l) => `${l}\n`).join(''));
  });

  it('refuses a missing file, both --text and --input, and a line too long for the model', async () => {
    expectUsageError(await cli('translate', ['--checkpoint', ckpt, '--input', join(dir, 'nope.txt')]), /--input: cannot read .*ENOENT/);
    expectUsageError(await cli('translate', ['--checkpoint', ckpt, '--input', ckpt, '--text', 'a']), /one at a time/);
    const long = join(dir, 'long.txt');
    writeFileSync(long, `a b\n${'a '.repeat(30)}\n`);
    expectUsageError(await cli('translate', ['--checkpoint', ckpt, '--input', long, '--backend', 'cpu']), /line 2: the sentence has 30 tokens/);
  });
});

describe('evaluate --pairs', { timeout: 240_000 }, () => {
  it('scores each distinct source once against all of its targets', async () => {
    const lines = ['a b c\ta b c', 'a b c\ta b c d', 'd e f\td e f', 'g h i j\tg h i j'];
    const file = join(dir, 'pairs.tsv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await cli('evaluate', ['--checkpoint', ckpt, '--pairs', file, '--backend', 'cpu', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, number | string>;
    expect(out.sources).toBe(3);
    expect(out.pairs).toBe(4);
    const groups = groupBySource(lines.map((l) => ({ src: l.split('\t')[0], tgt: l.split('\t')[1] })));
    const hyps = await Promise.all(groups.map(async (g, i) => (await trainer.translate(i, g.src)).text));
    const s = scoreTranslations(hyps, groups.map((g) => g.refs), '13a');
    expect(out.bleu).toBeCloseTo(s.bleu, 10);
    expect(out.chrf).toBeCloseTo(s.chrf, 10);
    expect(out.exactMatch).toBeCloseTo(s.exactMatch, 10);
  });

  it('refuses missing options and unreadable files with one error line', async () => {
    expectUsageError(await cli('evaluate', ['--checkpoint', ckpt]), /--pairs FILE is required/);
    expectUsageError(await cli('evaluate', ['--checkpoint', ckpt, '--pairs', join(dir, 'nope.tsv'), '--backend', 'cpu']), /--pairs .*cannot read/);
    expectUsageError(await cli('evaluate', ['--checkpoint', join(dir, 'nope.safetensors'), '--pairs', ckpt]), /--checkpoint: cannot read/);
  });
});
