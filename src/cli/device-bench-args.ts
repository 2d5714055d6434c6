// The options of the device benchmark (src/cli/device-bench.ts, device-bundle/run.sh).

import { readOptions } from './options';

export const SUITES = ['check', 'matmul', 'attention', 'train_step', 'train'] as const;

export const DEVICE_BENCH_HELP = `usage: device-bench [--out DIR] [--suites ${SUITES.join(',')}] [--reps N] [--reduced] [--no-autotune] [--train-seconds S] [-- TRAIN OPTIONS]

Benchmarks the engine on the adapter Dawn finds (matmul, attention, training steps) and trains
one run with the train CLI's options after --; prints JSON on stdout.`;

export interface DeviceBenchOptions {
  out?: string;
  suites: Set<string>;
  reps: number;
  reduced: boolean;
  autotune: boolean;
  trainSeconds: number;
  trainArgs: string[];
}

function positive(option: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new Error(`${option} must be a ${integer ? 'whole number ≥ 1' : 'positive number'}, not '${value}'`);
  return n;
}

/** The device bench's options; everything after `--` is the training run's (train CLI options). Throws a one-line Error. */
export function parseDeviceBenchArgs(argv: readonly string[]): DeviceBenchOptions | 'help' {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const o: DeviceBenchOptions = { suites: new Set(SUITES), reps: 5, reduced: false, autotune: true, trainSeconds: 240, trainArgs: dash < 0 ? [] : argv.slice(dash + 1) };
  const options = readOptions(own, ['out', 'suites', 'reps', 'train-seconds'], ['reduced', 'no-autotune']);
  if (options === 'help') return 'help';
  for (const { name, value } of options) {
    if (name === 'out') o.out = value;
    else if (name === 'reps') o.reps = positive('--reps', value, true);
    else if (name === 'train-seconds') o.trainSeconds = positive('--train-seconds', value, false);
    else if (name === 'reduced') o.reduced = true;
    else if (name === 'no-autotune') o.autotune = false;
    else {
      const list = value.split(',').filter(Boolean);
      const unknown = list.find((s) => !(SUITES as readonly string[]).includes(s));
      if (unknown !== undefined || list.length === 0) throw new Error(`--suites takes a comma-separated list of ${SUITES.join(', ')}${unknown ? `, not '${unknown}'` : ''}`);
      o.suites = new Set(list);
    }
  }
  return o;
}

