// Run files from strangers ("Import run"): random, mutated and hostile files give a SavedRun or one
// RunFileError, within the per-input time bound, and no size in them goes unchecked.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withinBound } from '../../data/testing/hang-bound';
import { DEFAULT_CONFIG } from '../../train/config';
import { decodeRun, encodeRun, RunFileError, type SavedRun } from './run-file';
import { emptySeries } from './series';

function run(): SavedRun {
  const series = emptySeries();
  series.step.push(1, 2);
  for (const k of Object.keys(series.columns) as (keyof typeof series.columns)[]) series.columns[k].push(1, 2);
  return {
    format: 1,
    runId: 'run-x',
    savedAt: 123,
    startedAt: 100,
    config: { ...DEFAULT_CONFIG, clip: 'range', clipGroup: 'decoder' },
    pairFile: { name: 'pairs.tsv', pairs: [{ src: 'hi', tgt: '你好' }] },
    metrics: { series, grid: { stride: 1, steps: [1], pre: [new Float32Array([1, 2])], post: [new Float32Array([0.5, 1])] }, evals: [] },
    snapshots: [
      {
        step: 1,
        probe: 0,
        srcTokens: ['a', 'b', 'c'],
        tgtTokens: ['x'],
        maps: [{ name: 'decoder.layers.0.multihead_attn', kind: 'cross', layer: 0, heads: 2, rows: 1, cols: 3, data: new Float32Array([0.2, 0.3, 0.5, 0, 1, 0]) }],
      },
    ],
    checkpoint: new Uint8Array(64).fill(7),
    step: 2,
    runState: 'paused',
  };
}

const good = encodeRun(run());
const headerLen = new DataView(good.buffer).getUint32(8, true);
const header = new TextDecoder().decode(good.subarray(12, 12 + headerLen));
const blobs = good.subarray(12 + headerLen + ((4 - ((12 + headerLen) % 4)) % 4));

/** A run file with this header text and blob area. */
function rawRun(text: string, blobArea: Uint8Array = blobs): Uint8Array {
  const h = new TextEncoder().encode(text);
  const pad = (4 - ((12 + h.length) % 4)) % 4;
  const out = new Uint8Array(12 + h.length + pad + blobArea.length);
  out.set([0x41, 0x50, 0x52, 0x4e]);
  new DataView(out.buffer).setUint32(4, 1, true);
  new DataView(out.buffer).setUint32(8, h.length, true);
  out.set(h, 12);
  out.set(blobArea, 12 + h.length + pad);
  return out;
}

/** Decodes within the bound; returns the RunFileError's message, or null for a run. Anything else fails. */
function decodeOrRefuse(bytes: Uint8Array, what: string): string | null {
  return withinBound(() => {
    try {
      decodeRun(bytes);
      return null;
    } catch (e) {
      if (!(e instanceof RunFileError)) throw new Error(`${what}: threw ${String(e)}`, { cause: e });
      expect(e.message).toMatch(/^[^\n]+$/);
      return e.message;
    }
  }, what);
}

const withRun = (edit: (r: Record<string, unknown>) => void) => {
  const r = JSON.parse(header) as Record<string, unknown>;
  edit(r);
  return rawRun(JSON.stringify(r));
};

describe('decodeRun on hostile files', () => {
  it('each is refused with its reason, at once', () => {
    const snapshot = (over: Record<string, unknown>) =>
      withRun((r) => {
        const s = (r.snapshots as { maps: Record<string, unknown>[] }[])[0];
        Object.assign(s.maps[0], over);
      });
    const cases: [string, Uint8Array, RegExp][] = [
      // One 64-byte blob referenced 100,000 times: 6.4 MB of copies from a 1.6 MB file (any factor with a larger file).
      ['a blob referenced 100,000 times', withRun((r) => ((r.snapshots as unknown[]).length = 0, (r.metrics as { grid: { pre: unknown[] } }).grid.pre = Array(100_000).fill({ $u8: [0, 64] }))), /its blobs overlap/],
      ['a heatmap claiming 10^9 × 10^9 cells', snapshot({ rows: 1e9, cols: 1e9 }), /snapshots\.0\.maps\.0\.rows: /],
      ['a heatmap whose data is short of heads × rows × cols', snapshot({ rows: 100, cols: 100 }), /the data does not hold heads × rows × cols values/],
      ['10,000 heads', snapshot({ heads: 10_000 }), /heads: /],
      ['a step of 10^12', withRun((r) => (r.step = 1e12)), /step: /],
      ['a config of 10,000 layers', withRun((r) => ((r.config as Record<string, unknown>).layers = 10_000)), /config is invalid: layers: must be at most 12/],
      ['the hostile group pattern made uncompilable', withRun((r) => ((r.config as Record<string, unknown>).clipGroup = '/(a)\\1/')), /clipGroup: not a valid regular expression/],
      ['a header nested 10^5 deep', rawRun(`{"runId":${'['.repeat(1e5)}${']'.repeat(1e5)}}`), /header nests deeper than 16 levels/],
      ['a header claiming 4 GB', (() => {
        const b = good.slice();
        new DataView(b.buffer).setUint32(8, 0xffffffff, true);
        return b;
      })(), /truncated/],
      ['an f32 blob of 3 bytes', withRun((r) => ((r.metrics as { grid: { pre: unknown[] } }).grid.pre = [{ $f32: [0, 3] }])), /no whole number of 4-byte values/],
    ];
    for (const [what, bytes, message] of cases) expect(decodeOrRefuse(bytes, what), what).toMatch(message);
    expect(decodeOrRefuse(good, 'good')).toBeNull();
  });

  it('random bytes after the magic, byte flips and truncations of a valid file: a run or one RunFileError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((b) => new Uint8Array([0x41, 0x50, 0x52, 0x4e, 1, 0, 0, 0, ...b])),
          fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat()).map(([edits, cut]) => {
            const b = good.slice(0, 1 + (cut % good.length));
            for (const [at, v] of edits) b[at % b.length] = v;
            return b;
          }),
        ),
        (b) => void decodeOrRefuse(b, `bytes ${JSON.stringify([...b.subarray(0, 40)])}…`),
      ),
      { numRuns: 400 },
    );
  });

  it('header values replaced by random JSON: a run or one RunFileError', () => {
    const paths = [
      ['step'],
      ['runState'],
      ['config'],
      ['config', 'layers'],
      ['config', 'clipGroup'],
      ['pairFile'],
      ['pairFile', 'pairs'],
      ['metrics', 'series', 'step'],
      ['metrics', 'grid', 'pre'],
      ['metrics', 'evals'],
      ['snapshots'],
      ['snapshots', '0', 'maps', '0', 'rows'],
      ['snapshots', '0', 'maps', '0', 'data'],
      ['checkpoint'],
    ];
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.constantFrom({ $u8: [0, 64] }, { $f32: [0, 64] }, { $f32: [1e15, 4] }, { $u8: [-1, 4] }, { $num: 'Infinity' }, { $num: '1e999' }, 1e308, -1),
    );
    fc.assert(
      fc.property(fc.constantFrom(...paths), value, (path, v) => {
        const file = withRun((r) => {
          let o = r as Record<string, unknown>;
          for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
          o[path[path.length - 1]] = v;
        });
        decodeOrRefuse(file, `${path.join('.')} = ${JSON.stringify(v).slice(0, 100)}`);
      }),
      { numRuns: 300 },
    );
  });
});
