import { describe, expect, it } from 'vitest';
import { parseDeviceBenchArgs } from './device-bench-args';

describe('device-bench options', () => {
  it('defaults to every suite, 5 reps, autotuning, a 240 s training cap and the train CLI defaults', () => {
    const o = parseDeviceBenchArgs([]);
    if (o === 'help') throw new Error('unexpected help');
    expect([...o.suites]).toEqual(['check', 'matmul', 'attention', 'train_step', 'train']);
    expect(o).toMatchObject({ reps: 5, reduced: false, autotune: true, trainSeconds: 240, trainArgs: [] });
  });

  it('passes everything after -- to the training run untouched', () => {
    const o = parseDeviceBenchArgs(['--out', '/tmp/x', '--suites=matmul,train', '--reps', '3', '--no-autotune', '--', '--task', 'eng-fra', '--steps', '10', '--reps']);
    if (o === 'help') throw new Error('unexpected help');
    expect(o.out).toBe('/tmp/x');
    expect([...o.suites]).toEqual(['matmul', 'train']);
    expect(o.reps).toBe(3);
    expect(o.autotune).toBe(false);
    expect(o.trainArgs).toEqual(['--task', 'eng-fra', '--steps', '10', '--reps']);
  });

  it('answers --help, and refuses unknown suites, bad numbers and unknown options in one line', () => {
    expect(parseDeviceBenchArgs(['--help'])).toBe('help');
    expect(() => parseDeviceBenchArgs(['--suites', 'matmul,gemm'])).toThrow(/^--suites takes a comma-separated list of .*, not 'gemm'$/);
    expect(() => parseDeviceBenchArgs(['--reps', '0'])).toThrow(/^--reps must be a whole number ≥ 1, not '0'$/);
    expect(() => parseDeviceBenchArgs(['--train-seconds', 'soon'])).toThrow(/^--train-seconds must be a positive number/);
    expect(() => parseDeviceBenchArgs(['--steps', '10'])).toThrow(/unknown option --steps/);
  });
});
