// A saved run: what IndexedDB keeps per tab and what "Export run" writes to a file. The file is
// one binary container so the checkpoint and the attention maps need no base64:
//
//   "APRN" | u32 format | u32 header length | header (UTF-8 JSON) | blobs, each 4-byte aligned
//
// In the header every Float32Array / Uint8Array is replaced by {"$f32"|"$u8": [offset, length]}
// into the blob area. Reading validates the header (zod) and the config (the run schema), so a
// damaged or foreign file is refused with a message rather than half-loaded.

import { z } from 'zod';
import { validateConfig, type RunConfig } from '../../train/config';
import type { AttentionSnapshot, Pair, RunState } from '../../train/protocol';
import type { SavedMetrics } from './metrics-store';
import { completeSeries, LATER_SCALAR_KEYS, SCALAR_KEYS } from './series';

export const RUN_FORMAT = 1;
const MAGIC = [0x41, 0x50, 0x52, 0x4e]; // "APRN"

export interface SavedRun {
  format: typeof RUN_FORMAT;
  runId: string;
  savedAt: number;
  /** When this run started from step 0 (distinguishes successive runs of one tab). */
  startedAt: number;
  config: RunConfig;
  /** The imported pair file, when the task is 'custom'. */
  pairFile: { name: string | null; pairs: Pair[] } | null;
  metrics: SavedMetrics;
  snapshots: AttentionSnapshot[];
  /** The worker's checkpoint (weights, optimizer state, step); null before the first step. */
  checkpoint: Uint8Array | null;
  step: number;
  runState: RunState;
}

type BlobRef = { $f32: [number, number] } | { $u8: [number, number] };

export function encodeRun(run: SavedRun): Uint8Array {
  const blobs: Uint8Array[] = [];
  let offset = 0;
  const addBlob = (bytes: Uint8Array): [number, number] => {
    const at = offset;
    blobs.push(bytes);
    offset += bytes.byteLength;
    const pad = (4 - (offset % 4)) % 4;
    if (pad) {
      blobs.push(new Uint8Array(pad));
      offset += pad;
    }
    return [at, bytes.byteLength];
  };
  const header = JSON.stringify(run, (_key, value: unknown): unknown => {
    if (value instanceof Float32Array) return { $f32: addBlob(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) } satisfies BlobRef;
    if (value instanceof Uint8Array) return { $u8: addBlob(value) } satisfies BlobRef;
    if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
    return value;
  });
  const headerBytes = new TextEncoder().encode(header);
  const headPad = (4 - ((12 + headerBytes.byteLength) % 4)) % 4;
  const out = new Uint8Array(12 + headerBytes.byteLength + headPad + offset);
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, RUN_FORMAT, true);
  dv.setUint32(8, headerBytes.byteLength, true);
  out.set(headerBytes, 12);
  let at = 12 + headerBytes.byteLength + headPad;
  for (const b of blobs) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

// Metric values may be NaN or ±∞ (a diverged step); z.number() refuses those.
const anyNumber = z.custom<number>((v) => typeof v === 'number', 'expected a number');
const numArray = z.array(anyNumber);
const f32 = z.instanceof(Float32Array);
const evalSchema = z.object({
  step: z.number(),
  split: z.enum(['valid', 'test']),
  loss: anyNumber,
  tokenAccuracy: anyNumber,
  exactMatch: anyNumber,
  bleu: anyNumber,
});
const headerSchema = z.object({
  format: z.literal(RUN_FORMAT),
  runId: z.string(),
  savedAt: z.number(),
  startedAt: z.number(),
  config: z.record(z.string(), z.unknown()),
  pairFile: z.object({ name: z.string().nullable(), pairs: z.array(z.object({ src: z.string(), tgt: z.string() })) }).nullable(),
  metrics: z.object({
    series: z.object({
      step: numArray,
      columns: z.object(Object.fromEntries(SCALAR_KEYS.map((k) => [k, LATER_SCALAR_KEYS.includes(k) ? numArray.optional() : numArray])) as Record<(typeof SCALAR_KEYS)[number], typeof numArray>),
    }),
    grid: z.object({ stride: z.number(), steps: numArray, pre: z.array(f32), post: z.array(f32) }),
    evals: z.array(evalSchema),
  }),
  snapshots: z.array(
    z.object({
      step: z.number(),
      probe: z.number(),
      srcTokens: z.array(z.string()),
      tgtTokens: z.array(z.string()),
      reference: z.string().optional(),
      maps: z.array(
        z.object({
          name: z.string(),
          kind: z.enum(['encoder-self', 'decoder-self', 'cross', 'rnn']),
          layer: z.number(),
          heads: z.number(),
          rows: z.number(),
          cols: z.number(),
          data: f32,
        }),
      ),
    }),
  ),
  checkpoint: z.instanceof(Uint8Array).nullable(),
  step: z.number(),
  runState: z.enum(['idle', 'training', 'paused', 'done', 'error']),
});

export class RunFileError extends Error {
  override name = 'RunFileError';
}

export function decodeRun(bytes: Uint8Array): SavedRun {
  if (bytes.byteLength < 12 || MAGIC.some((m, i) => bytes[i] !== m)) throw new RunFileError('not a run file (it does not start with APRN)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = dv.getUint32(4, true);
  if (format !== RUN_FORMAT) throw new RunFileError(`run file format ${format} is not supported (this page reads format ${RUN_FORMAT})`);
  const headerLen = dv.getUint32(8, true);
  if (12 + headerLen > bytes.byteLength) throw new RunFileError('the run file is truncated');
  const headPad = (4 - ((12 + headerLen) % 4)) % 4;
  const blobBase = 12 + headerLen + headPad;
  const blob = (ref: [number, number]): Uint8Array => {
    const [off, len] = ref;
    if (!(off >= 0 && len >= 0 && blobBase + off + len <= bytes.byteLength)) throw new RunFileError('the run file is truncated');
    return bytes.slice(blobBase + off, blobBase + off + len);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLen)), (_key, value: unknown): unknown => {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const v = value as Record<string, unknown>;
        if (Array.isArray(v.$f32) && Object.keys(v).length === 1) {
          const b = blob(v.$f32 as [number, number]);
          return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
        }
        if (Array.isArray(v.$u8) && Object.keys(v).length === 1) return blob(v.$u8 as [number, number]);
        if (typeof v.$num === 'string' && Object.keys(v).length === 1) return Number(v.$num);
      }
      return value;
    });
  } catch (e) {
    if (e instanceof RunFileError) throw e;
    throw new RunFileError(`the run file's header is not valid JSON (${(e as Error).message})`);
  }
  const h = headerSchema.safeParse(raw);
  if (!h.success) {
    const i = h.error.issues[0];
    throw new RunFileError(`the run file is damaged: ${i.path.join('.')}: ${i.message}`);
  }
  const c = validateConfig(h.data.config as Partial<Record<keyof RunConfig, unknown>>);
  if (!c.ok) throw new RunFileError(`the run file's config is invalid: ${c.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  return { ...h.data, format: RUN_FORMAT, config: c.config, metrics: { ...h.data.metrics, series: completeSeries(h.data.metrics.series) } };
}
