import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '../engine';
import { trainRun } from './device-train-run';

const SMALL = ['--model', 'transformer', '--layers', '1', '--d-model', '16', '--heads', '2', '--d-ff', '32', '--batch', '4'];
const quiet = () => {};

describe('the device benchmark training run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ap-device-train-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'pairs.tsv');
  const words = ['red', 'green', 'blue', 'cat', 'dog', 'house', 'tree', 'sun'];
  const lines = Array.from({ length: 40 }, (_, i) => `${words[i % 8]} ${words[(i * 3) % 8]}\t${words[(i * 5) % 8]} ${words[i % 8]}`);
  writeFileSync(file, `${lines.join('\n')}\n`);

  it('trains a pair file with the train CLI options and reports throughput after the warm-up', async () => {
    const r = await trainRun(cpuBackend, { args: ['--pairs', file, ...SMALL, '--steps', '6'], maxSeconds: 600, warmupSteps: 2, log: quiet });
    expect(r.steps).toBe(6);
    expect(r.stopped_early).toBeNull();
    expect(r.pairs_file).toBe(file);
    expect(r.task).toBe('custom');
    expect(r.warmup_steps).toBe(2);
    expect(r.ms_per_step).toBeGreaterThan(0);
    // tokens/s · time = the target tokens of the 4 timed steps: at most batch 4 × (2 words + EOS) each.
    const tokens = (r.tokens_per_s! * r.ms_per_step! * 4) / 1000;
    expect(tokens).toBeGreaterThan(4);
    expect(tokens).toBeLessThanOrEqual(4 * 4 * 3 + 1e-6);
    expect(Number.isFinite(r.loss_first) && Number.isFinite(r.loss_last)).toBe(true);
    expect(r.test.bleu).toBeGreaterThanOrEqual(0);
  });

  it('stops at the wall-time cap and says so', async () => {
    const r = await trainRun(cpuBackend, { args: ['--pairs', file, ...SMALL, '--steps', '1000'], maxSeconds: 0.001, warmupSteps: 1, log: quiet });
    expect(r.steps).toBeLessThan(1000);
    expect(r.stopped_early).toMatch(/wall-time cap/);
  });

  it('refuses bad options and unreadable pair files with a one-line message', async () => {
    await expect(trainRun(cpuBackend, { args: ['--steps', 'many'], maxSeconds: 1, log: quiet })).rejects.toThrow(/--steps/);
    await expect(trainRun(cpuBackend, { args: ['--pairs', join(dir, 'missing.tsv')], maxSeconds: 1, log: quiet })).rejects.toThrow(/^--pairs .*missing\.tsv: cannot read the file \(ENOENT\)$/);
    await expect(trainRun(cpuBackend, { args: ['--save', join(dir, 'x.safetensors')], maxSeconds: 1, log: quiet })).rejects.toThrow(/no --load or --save/);
  });
});
