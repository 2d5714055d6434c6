// Issue 7: live GPU memory stays flat over 1,000 training steps. The steps run as the worker and
// the CLI run them (one step in flight while the next is encoded, one readback per step), with a
// validation pass and an attention probe now and then, since those allocate too. After a short
// warm-up, with nothing in flight, the live bytes must be exactly where they were: a leak of one
// tensor per step would show as a steady rise. The pool may still create a few buffers after the
// warm-up, when a batch length or a decoded length turns up for the first time (measured: +16
// buffers, +3% pooled bytes over 1,000 steps of the RNN), but a pool that stopped reusing its
// buffers would create several per step: its growth is bounded well below that.
//
// On SwiftShader a step of the smallest Transformer costs ~100 ms (≈ 180 dispatches, each with a
// fixed cost), so 1,000 of them would take minutes. The 1,000 steps run on the smallest RNN model
// (IndRNN v2, one fused recurrence per layer: ~20 ms a step on two cores); the Transformer runs 150 steps with
// the same checks. Both run on the CPU backend too (the unit project).

import { describe, expect, it } from 'vitest';
import { memoryOf, type Backend } from '../engine';
import { testBackends } from '../engine/testing/backends';
import { validateConfig, type RunConfig } from './config';
import { Trainer, type StepResult } from './trainer';

const WARMUP = 30;

interface PoolState {
  live: number;
  pooled: number;
  created: number;
  pipelines: number;
}

function poolState(b: Backend): PoolState {
  if (b.kind === 'cpu') return { live: b.memory().liveBytes, pooled: 0, created: 0, pipelines: 0 };
  const p = b.pool.snapshot();
  return { live: p.liveBytes, pooled: p.pooledBytes, created: p.created, pipelines: b.counters.pipelines };
}

/**
 * Trains up to step `until` with one step in flight, evaluating and probing every `sideEvery`
 * steps; returns the live bytes seen after each step's readback, then waits for the GPU.
 */
async function trainTo(t: Trainer, until: number, sideEvery: number): Promise<number[]> {
  const live: number[] = [];
  let inFlight: Promise<StepResult> | null = t.step < until ? t.trainStep() : null;
  while (inFlight) {
    const next: Promise<StepResult> | null = t.step < until ? t.trainStep() : null;
    const { metrics, nonFinite } = await inFlight;
    expect(nonFinite).toBeUndefined();
    if (metrics.step % sideEvery === 0) {
      await t.evaluate('valid', 16);
      await t.probeAttention(metrics.step % 3);
    }
    live.push(memoryOf(t.backend).liveBytes);
    inFlight = next;
  }
  if (t.backend.kind === 'webgpu') await t.backend.sync();
  return live;
}

async function flatOver(backend: Backend, over: Partial<RunConfig>, steps: number, sideEvery: number): Promise<void> {
  const r = validateConfig({ task: 'copy', batch: 8, maxLen: 8, lr: 0.003, clip: 'norm', maxNorm: 1, steps, ...over });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const t = Trainer.create(r.config, backend);
  const t0 = performance.now();
  // The warm-up sees every batch length and the evaluation / probe shapes at least once.
  await trainTo(t, WARMUP, 5);
  const warm = poolState(backend);
  const live = await trainTo(t, steps, sideEvery);
  const end = poolState(backend);
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `[memory] ${over.model} ${steps} steps in ${seconds.toFixed(1)} s on ${backend.adapterName}: live ${end.live} B (after warm-up ${warm.live} B, ` +
      `${Math.min(...live)}–${Math.max(...live)} B between steps), pooled ${end.pooled} B, buffers created ${end.created} (after warm-up ${warm.created})`,
  );
  expect(t.step).toBe(steps);
  expect(end.live).toBe(warm.live);
  expect(end.pipelines).toBe(warm.pipelines);
  expect(end.created - warm.created).toBeLessThan(0.05 * (steps - WARMUP));
  expect(end.live + end.pooled).toBeLessThan(1.25 * (warm.live + warm.pooled) + 64 * 1024);
  // Between steps the only extra is the step in flight (its packed stats), the same at the end as
  // at the start: the first and last hundred steps span the same range.
  const head = live.slice(0, 100);
  const tail = live.slice(-100);
  expect(Math.max(...tail)).toBe(Math.max(...head));
  expect(Math.min(...tail)).toBe(Math.min(...head));
  t.dispose();
}

describe.each(testBackends())('memory over training on $name', ({ get }) => {
  it('1,000 steps of an RNN encoder–decoder with attention: flat', async () => {
    const backend = await get();
    await flatOver(backend, { model: 'rnn', cell: 'indrnn2', layers: 1, hidden: 8, embed: 8, batch: 4, maxLen: 6, bidirectional: false, scoring: 'dot' }, 1000, 250);
  });

  it('150 steps of a Transformer: flat', async () => {
    const backend = await get();
    await flatOver(backend, { model: 'transformer', layers: 1, dModel: 16, heads: 2, dFF: 32 }, 150, 60);
  });
});
