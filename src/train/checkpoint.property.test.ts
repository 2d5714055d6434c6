// Checkpoints from strangers: damaged, mutated or hostile files (a header claiming a huge tensor,
// metadata nested 10,000 deep, a vocabulary of 300,000 words, a config for a model of
// thousands of GiB) either load or are refused with one CheckpointError, quickly, and nothing is
// built for them beyond the memory budget.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '../engine';
import { withinBound } from '../data/testing/hang-bound';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { checkpointSizeError } from './file-limits';
import { validateConfig } from './config';
import { readSafetensors, writeSafetensors, type SafetensorsFile } from './safetensors';
import { Trainer } from './trainer';

/** Building a run (its dataset and model) takes tens of ms; the bound only catches runaway work. */
const BOUND_MS = 3000;

let good: Uint8Array;
let file: SafetensorsFile;
beforeAll(async () => {
  const r = validateConfig({ task: 'copy', layers: 1, dModel: 8, heads: 2, dFF: 16, batch: 4, maxLen: 8, clip: 'range', clipGroup: 'weight' });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const t = Trainer.create(r.config, cpuBackend);
  good = await saveCheckpoint(t);
  t.dispose();
  file = readSafetensors(good);
});
afterAll(() => {
  good = new Uint8Array(0);
});

/** Loads and disposes; returns the error (a CheckpointError, or the test fails) or null. */
function tryLoad(bytes: Uint8Array, what: string): CheckpointError | null {
  return withinBound(
    () => {
      try {
        loadCheckpoint(bytes, cpuBackend).trainer.dispose();
        return null;
      } catch (e) {
        if (!(e instanceof CheckpointError)) throw new Error(`${what}: threw ${String(e)}`, { cause: e });
        expect(e.message).toMatch(/^checkpoint: [^\n]+$/);
        return e;
      }
    },
    what,
    BOUND_MS,
  );
}

const withMeta = (meta: Record<string, string>) => writeSafetensors(file.tensors, { ...file.metadata, ...meta });
const config = () => JSON.parse(file.metadata.config) as Record<string, unknown>;

describe('loadCheckpoint on hostile files', () => {
  it('the good file loads', () => {
    expect(tryLoad(good, 'good')).toBeNull();
  });

  it('each hostile file is refused with its reason', () => {
    const deep = '['.repeat(1e4) + ']'.repeat(1e4);
    const vocab = JSON.parse(file.metadata.src_vocab) as { tokens: string[] };
    const bigVocab = JSON.stringify({ ...vocab, tokens: [...vocab.tokens, ...Array.from({ length: 300_000 }, (_, i) => `t${i}`)] });
    const claimsHuge = (() => {
      // A header whose one tensor claims 2^40 elements over 8 bytes of data.
      const header = new TextEncoder().encode('{"w":{"dtype":"F32","shape":[1099511627776],"data_offsets":[0,8]}}');
      const out = new Uint8Array(8 + header.length + 8);
      new DataView(out.buffer).setUint32(0, header.length, true);
      out.set(header, 8);
      return out;
    })();
    const cases: [string, Uint8Array, RegExp][] = [
      ['a tensor claiming 2^40 elements', claimsHuge, /needs 4398046511104/],
      ['metadata config nested 10^4 deep', withMeta({ config: deep }), /'config' nests deeper than 8 levels/],
      ['a vocabulary nested 10^4 deep', withMeta({ src_vocab: deep }), /'src_vocab' nests deeper than 8 levels/],
      ['a config of 100 kB', withMeta({ config: JSON.stringify({ ...config(), pad: 'x'.repeat(100_000) }) }), /'config' is longer than 65,536 characters/],
      ['a vocabulary of 300,000 tokens', withMeta({ src_vocab: bigVocab }), /bad vocabulary: .*more than the 200,000/],
      ['a config of 10,000 layers', withMeta({ config: JSON.stringify({ ...config(), layers: 10_000 }) }), /config is invalid: layers: must be at most 12/],
      ['a config for thousands of GiB', withMeta({ config: JSON.stringify({ ...config(), layers: 12, dModel: 1024, heads: 16, dFF: 8192, batch: 4096, maxLen: 200 }) }), /cannot be built: the run would need about/],
      ['a step of 10^12 (its batch order would be replayed)', withMeta({ step: '1000000000000' }), /bad step '1000000000000' \(a whole number from 0 to 1000000\)/],
      ['a config that is not an object', withMeta({ config: 'null' }), /'config' is not an object/],
      ['the hostile group pattern', withMeta({ config: JSON.stringify({ ...config(), clipGroup: '/^(\\w+\\.?)+$_/' }) }), /clip group .* matches no parameter/],
    ];
    for (const [what, bytes, message] of cases) expect(tryLoad(bytes, what)?.message, what).toMatch(message);
  });

  it('a file over the size limit is refused before it is read', () => {
    expect(checkpointSizeError(3 * 2 ** 30)).toBe('checkpoint: the file has 3 GiB, more than the 2 GiB it may have');
    expect(checkpointSizeError(good.length)).toBeNull();
  });

  it('random byte mutations: it loads or one CheckpointError, within the bound', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.option(fc.nat()), (edits, cut) => {
        const b = good.slice(0, cut === null ? good.length : cut % (good.length + 1));
        // Mostly in the header, where a flip changes meaning rather than a weight.
        for (const [at, v] of edits) if (b.length) b[at % Math.min(b.length, 2048)] = v;
        tryLoad(b, `mutation ${JSON.stringify({ edits, cut })}`);
      }),
      { numRuns: 60 },
    );
  });

  it('random metadata values: it loads or one CheckpointError, within the bound', () => {
    const key = fc.constantFrom('format', 'config', 'src_vocab', 'tgt_vocab', 'step', 'skipped_steps', 'version');
    const text = fc.oneof(fc.string({ maxLength: 50 }), fc.json({ maxDepth: 4 }), fc.constantFrom('', 'null', '[]', '{}', '1e400', '-1', '"x"'));
    const configValue = fc.record({ field: fc.constantFrom(...Object.keys(config())), value: fc.jsonValue({ maxDepth: 3 }) });
    fc.assert(
      fc.property(fc.oneof(fc.tuple(key, text).map(([k, v]) => ({ [k]: v })), configValue.map(({ field, value }) => ({ config: JSON.stringify({ ...config(), [field]: value }) }))), (meta) => {
        tryLoad(withMeta(meta), `metadata ${JSON.stringify(meta).slice(0, 200)}`);
      }),
      { numRuns: 60 },
    );
  });
});
