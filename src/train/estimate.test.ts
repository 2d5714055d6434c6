// The size estimate that guards the GPU: its parameter count against the models actually built,
// its largest buffer against the buffers a run really allocates in one piece, and the refusal of
// a model too large for the adapter's limits, made before anything is allocated.

import { describe, expect, it } from 'vitest';
import { cpuBackend, type Backend } from '../engine';
import { validateConfig, type RunConfig } from './config';
import { checkBudget, checkLimits, estimateSize, MAX_TOTAL_BYTES, type AdapterLimits } from './estimate';
import { withinBound } from '../data/testing/hang-bound';
import { ConfigLimitError, Trainer } from './trainer';

function config(over: Partial<RunConfig>): RunConfig {
  const r = validateConfig({ task: 'copy', maxLen: 12, batch: 8, layers: 1, dModel: 16, heads: 2, dFF: 32, hidden: 32, embed: 16, ...over });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

const CONFIGS: Partial<RunConfig>[] = [
  { model: 'transformer' },
  { model: 'transformer', layers: 2, dModel: 32, heads: 4, dFF: 64, positional: 'learned' },
  { model: 'transformer', layers: 3, dModel: 24, heads: 3, dFF: 40, tieEmbeddings: true, norm: 'post' },
  { model: 'transformer', task: 'dates', layers: 2, dModel: 32, heads: 2, dFF: 16 },
  ...(['lstm', 'gru', 'janet', 'indrnn', 'indrnn2'] as const).flatMap((cell): Partial<RunConfig>[] => [
    { model: 'rnn', cell, bidirectional: true, scoring: 'general' },
    { model: 'rnn', cell, layers: 2, bidirectional: false, scoring: 'additive' },
    // Odd hidden size, bidirectional: the encoder's directions give 32 ≠ 31, so encoder_proj exists.
    { model: 'rnn', cell, layers: 2, hidden: 31, bidirectional: true, scoring: 'dot' },
  ]),
  { model: 'rnn', task: 'dates', cell: 'lstm', layers: 1, hidden: 24, embed: 8, optimizer: 'sgd', momentum: 0 },
];

describe('estimateSize', () => {
  it.each(CONFIGS.map((c) => [JSON.stringify(c), c] as const))('%s: parameters as built, buffers no smaller than the real ones', async (_name, over) => {
    const c = config(over);
    const t = Trainer.create(c, cpuBackend);
    const e = estimateSize(c, t.data.srcTokenizer.size, t.data.tgtTokenizer.size);
    const real = t.model.numParameters();
    // An upper-ish bound: never below the real count, and not more than 2% above it.
    expect(e.parameters).toBeGreaterThanOrEqual(real);
    expect(e.parameters).toBeLessThanOrEqual(real * 1.02);
    // The buffers a run allocates in one piece whatever the data: each parameter, all gradients
    // packed for clipping, and the optimizer's state for all parameters.
    const largestParam = Math.max(...t.model.parameters().map((p) => p.size));
    const state = await t.rule.optimizer.stateDict();
    const stateElems = Object.values(state).reduce((n, v) => n + v.length, 0);
    expect(e.largestBufferBytes).toBeGreaterThanOrEqual(4 * largestParam);
    expect(e.largestBufferBytes).toBeGreaterThanOrEqual(4 * real);
    expect(e.largestBufferBytes).toBeGreaterThanOrEqual(4 * stateElems);
    // Parameters, gradients and two optimizer slots at least.
    expect(e.totalBytes).toBeGreaterThanOrEqual(4 * (2 * real + stateElems));
    t.dispose();
  });
});

// WebGPU's default limits, what an adapter must offer at least.
const DEFAULT_LIMITS: AdapterLimits = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 };
const BIG = { model: 'transformer', layers: 6, dModel: 1024, heads: 16, dFF: 4096 } as const;

describe('checkLimits', () => {
  it('passes a small model, refuses a large one with the estimate and the limit in the message', () => {
    const small = config({});
    expect(checkLimits(estimateSize(small, 30, 30), DEFAULT_LIMITS)).toBeNull();
    const big = config(BIG);
    const e = estimateSize(big, 30, 30);
    // 6 + 6 layers at d_model 1024: ~ 176 M parameters, Adam's two slots in one buffer ≈ 1.3 GiB.
    expect(e.parameters).toBeGreaterThan(150e6);
    const msg = checkLimits(e, DEFAULT_LIMITS);
    expect(msg).not.toBeNull();
    expect(msg).toContain(`${(e.largestBufferBytes / 2 ** 20).toFixed(1)} MiB`);
    expect(msg).toContain('(optimizer state)');
    expect(msg).toContain('(128.0 MiB)');
    expect(msg).not.toContain('\n');
  });

  it('takes the smaller of the two limits', () => {
    const e = estimateSize(config({ batch: 64, maxLen: 100 }), 30, 30);
    const just = e.largestBufferBytes;
    expect(checkLimits(e, { maxStorageBufferBindingSize: just, maxBufferSize: just })).toBeNull();
    expect(checkLimits(e, { maxStorageBufferBindingSize: just - 4, maxBufferSize: 2 * just })).toMatch(/\(\d+\.\d MiB\): reduce/);
    expect(checkLimits(e, { maxStorageBufferBindingSize: 2 * just, maxBufferSize: just - 4 })).not.toBeNull();
  });

  it('a batch or length too large for the attention weights is refused on them', () => {
    // 64 × 16 heads × 202² floats = 160 MiB of attention weights; the parameters are small.
    const e = estimateSize(config({ batch: 64, maxLen: 200, dModel: 32, heads: 16 }), 30, 30);
    expect(e.largestBufferName).toBe('attention weights');
    expect(checkLimits(e, DEFAULT_LIMITS)).toMatch(/needs a 159\.\d MiB buffer \(attention weights\)/);
  });
});

describe('Trainer.create on WebGPU', () => {
  /**
   * A WebGPU backend that only has limits: any use beyond reading `device.limits` (creating a
   * buffer, a pipeline, anything) throws, so a refusal proves nothing was allocated first.
   */
  function limitsOnlyBackend(limits: AdapterLimits): { backend: Backend; touched: string[] } {
    const touched: string[] = [];
    const device = new Proxy({} as Record<string, unknown>, {
      get(_t, key) {
        if (key === 'limits') return limits;
        touched.push(`device.${String(key)}`);
        throw new Error(`the test backend was used: device.${String(key)}`);
      },
    });
    const backend = new Proxy({} as Record<string, unknown>, {
      get(_t, key) {
        if (key === 'kind') return 'webgpu';
        if (key === 'device') return device;
        touched.push(String(key));
        throw new Error(`the test backend was used: ${String(key)}`);
      },
    });
    return { backend: backend as unknown as Backend, touched };
  }

  it('refuses a model over the limits before allocating anything, with the estimate and the limit', () => {
    const { backend, touched } = limitsOnlyBackend(DEFAULT_LIMITS);
    let err: unknown;
    try {
      Trainer.create(config(BIG), backend);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigLimitError);
    expect((err as Error).message).toMatch(/^the model needs a \d+\.\d MiB buffer \(optimizer state\), more than this GPU allows in one buffer \(128\.0 MiB\)/);
    expect(touched).toEqual([]);
  });

  it('the same check refuses a small model on a GPU with tiny limits', () => {
    const { backend, touched } = limitsOnlyBackend({ maxStorageBufferBindingSize: 1024, maxBufferSize: 1 << 30 });
    expect(() => Trainer.create(config({}), backend)).toThrow(ConfigLimitError);
    expect(() => Trainer.create(config({}), backend)).toThrow(/more than this GPU allows in one buffer \(0\.0 MiB\)/);
    expect(touched).toEqual([]);
  });
});

describe('checkBudget: the memory a whole run may take, on every backend', () => {
  /** The largest model the config schema lets a shared link ask for. */
  const HUGE = { model: 'transformer', layers: 12, dModel: 1024, heads: 16, dFF: 8192, batch: 4096, maxLen: 200 } as const;

  it('passes the defaults and a transformer-base-sized run on the GPU; refuses the largest config the schema allows', () => {
    expect(checkBudget(estimateSize(config({}), 30, 30), 'cpu')).toBeNull();
    const base = estimateSize(config({ layers: 6, dModel: 512, heads: 8, dFF: 2048, batch: 64, maxLen: 50 }), 5000, 5000);
    expect(checkBudget(base, 'webgpu')).toBeNull();
    const e = estimateSize(config(HUGE), 30, 30);
    expect(e.totalBytes).toBeGreaterThan(MAX_TOTAL_BYTES.webgpu);
    for (const kind of ['cpu', 'webgpu'] as const) {
      expect(checkBudget(e, kind)).toMatch(/^the run would need about \d+\.\d GiB of memory, more than the playground allows on the (CPU|GPU) \((2|8)\.0 GiB\): reduce/);
    }
  });

  it('Trainer.create on the CPU refuses it at once, before building the model', () => {
    const err = withinBound(() => {
      try {
        Trainer.create(config(HUGE), cpuBackend);
      } catch (e) {
        return e;
      }
      return null;
    }, 'Trainer.create of the largest config', 2000);
    expect(err).toBeInstanceOf(ConfigLimitError);
    expect((err as Error).message).toMatch(/more than the playground allows on the CPU/);
  });
});
