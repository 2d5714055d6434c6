// A saved run: what IndexedDB keeps per tab and what "Export run" writes to a file. The file is
// one binary container so the checkpoint and the attention maps need no base64:
//
//   "APRN" | u32 format | u32 header length | header (UTF-8 JSON) | blobs, each 4-byte aligned
//
// In the header every Float32Array / Uint8Array is replaced by {"$f32"|"$u8": [offset, length]}
// into the blob area. Reading validates the header (zod) and the config (the run schema), so a
// damaged or foreign file is refused with a message rather than half-loaded. A run file may come
// from anyone: every size and count in it is bounded (RUN_FILE_LIMITS), before the work it costs
// where it can be (file size, header length and nesting before JSON.parse; blob references may
// not add up to more than the blob area, so a header cannot copy one blob a million times).

import { z } from 'zod';
import { checkJsonBounds, JsonLimitError } from '../../data/json-limits';
import { DEFAULT_MAX_LINE_LENGTH, PAIR_FILE_LIMITS } from '../../data/pairs-file';
import { MAX_STEPS, validateConfig, type RunConfig } from '../../train/config';
import { runFileSizeError } from '../../train/file-limits';
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

export const RUN_FILE_LIMITS = {
  /** The JSON header (pairs of a custom task included). */
  headerBytes: 512 * 2 ** 20,
  headerDepth: 16,
  /** Rows of the metric series and evaluations: at most one per step. */
  seriesLength: MAX_STEPS,
  /** An attention map's side (sequence lengths are at most maxLen + 2 = 202) and heads. */
  mapSide: 1024,
  mapHeads: 64,
  mapsPerSnapshot: 256,
  /** The page keeps 120 (attention-store.ts) and thins what it loads; older files may have more. */
  snapshots: 10_000,
  tokenLength: 1000,
} as const;

// Metric values may be NaN or ±∞ (a diverged step); z.number() refuses those.
const anyNumber = z.custom<number>((v) => typeof v === 'number', 'expected a number');
const numArray = z.array(anyNumber).max(RUN_FILE_LIMITS.seriesLength);
const f32 = z.instanceof(Float32Array);
const stepNumber = z.number().int().min(0).max(MAX_STEPS);
const tokens = z.array(z.string().max(RUN_FILE_LIMITS.tokenLength)).max(RUN_FILE_LIMITS.mapSide);
const side = z.number().int().min(0).max(RUN_FILE_LIMITS.mapSide);
const evalSchema = z.object({
  step: z.number(),
  split: z.enum(['valid', 'test']),
  loss: anyNumber,
  tokenAccuracy: anyNumber,
  exactMatch: anyNumber,
  bleu: anyNumber,
  chrf: anyNumber.optional(),
});
const headerSchema = z.object({
  format: z.literal(RUN_FORMAT),
  runId: z.string(),
  savedAt: z.number(),
  startedAt: z.number(),
  config: z.record(z.string(), z.unknown()),
  pairFile: z
    .object({
      name: z.string().max(1000).nullable(),
      pairs: z.array(z.object({ src: z.string().max(DEFAULT_MAX_LINE_LENGTH), tgt: z.string().max(DEFAULT_MAX_LINE_LENGTH) })).max(PAIR_FILE_LIMITS.pairs),
    })
    .nullable(),
  metrics: z.object({
    series: z.object({
      step: numArray,
      columns: z.object(Object.fromEntries(SCALAR_KEYS.map((k) => [k, LATER_SCALAR_KEYS.includes(k) ? numArray.optional() : numArray])) as Record<(typeof SCALAR_KEYS)[number], typeof numArray>),
    }),
    grid: z.object({ stride: z.number(), steps: numArray, pre: z.array(f32).max(RUN_FILE_LIMITS.seriesLength), post: z.array(f32).max(RUN_FILE_LIMITS.seriesLength) }),
    evals: z.array(evalSchema).max(RUN_FILE_LIMITS.seriesLength),
  }),
  snapshots: z
    .array(
      z.object({
        step: z.number(),
        probe: z.number(),
        srcTokens: tokens,
        tgtTokens: tokens,
        reference: z.string().max(RUN_FILE_LIMITS.tokenLength * RUN_FILE_LIMITS.mapsPerSnapshot).optional(),
        maps: z
          .array(
            z
              .object({
                name: z.string().max(RUN_FILE_LIMITS.tokenLength),
                kind: z.enum(['encoder-self', 'decoder-self', 'cross', 'rnn']),
                layer: z.number().int().min(0).max(RUN_FILE_LIMITS.mapsPerSnapshot),
                heads: z.number().int().min(1).max(RUN_FILE_LIMITS.mapHeads),
                rows: side,
                cols: side,
                data: f32,
              })
              // The heatmaps loop over heads × rows × cols and size their canvases by rows and cols.
              .refine((m) => m.data.length === m.heads * m.rows * m.cols, 'the data does not hold heads × rows × cols values'),
          )
          .max(RUN_FILE_LIMITS.mapsPerSnapshot),
      }),
    )
    .max(RUN_FILE_LIMITS.snapshots),
  checkpoint: z.instanceof(Uint8Array).nullable(),
  step: stepNumber,
  runState: z.enum(['idle', 'training', 'paused', 'done', 'error']),
});

export class RunFileError extends Error {
  override name = 'RunFileError';
}

export function decodeRun(bytes: Uint8Array): SavedRun {
  const tooBig = runFileSizeError(bytes.byteLength);
  if (tooBig) throw new RunFileError(tooBig);
  if (bytes.byteLength < 12 || MAGIC.some((m, i) => bytes[i] !== m)) throw new RunFileError('not a run file (it does not start with APRN)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = dv.getUint32(4, true);
  if (format !== RUN_FORMAT) throw new RunFileError(`run file format ${format} is not supported (this page reads format ${RUN_FORMAT})`);
  const headerLen = dv.getUint32(8, true);
  if (12 + headerLen > bytes.byteLength) throw new RunFileError('the run file is truncated');
  const headPad = (4 - ((12 + headerLen) % 4)) % 4;
  const blobBase = 12 + headerLen + headPad;
  if (headerLen > RUN_FILE_LIMITS.headerBytes) throw new RunFileError(`the run file's header is larger than ${RUN_FILE_LIMITS.headerBytes / 2 ** 20} MiB`);
  /** Bytes copied out of the blob area so far: each blob is copied once at most in a well-formed file. */
  let copied = 0;
  const blob = (ref: [number, number], elementSize: number): Uint8Array => {
    const [off, len] = ref;
    if (!(Number.isSafeInteger(off) && Number.isSafeInteger(len) && off >= 0 && len >= 0 && blobBase + off + len <= bytes.byteLength)) throw new RunFileError('the run file is truncated');
    if (len % elementSize !== 0) throw new RunFileError(`the run file is damaged: a blob of ${len} bytes holds no whole number of ${elementSize}-byte values`);
    copied += len;
    if (copied > bytes.byteLength - blobBase) throw new RunFileError('the run file is damaged: its blobs overlap');
    return bytes.slice(blobBase + off, blobBase + off + len);
  };
  let raw: unknown;
  try {
    const text = new TextDecoder().decode(bytes.subarray(12, 12 + headerLen));
    checkJsonBounds(text, "the run file's header", { maxLength: RUN_FILE_LIMITS.headerBytes, maxDepth: RUN_FILE_LIMITS.headerDepth });
    raw = JSON.parse(text, (_key, value: unknown): unknown => {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const v = value as Record<string, unknown>;
        if (Array.isArray(v.$f32) && Object.keys(v).length === 1) {
          const b = blob(v.$f32 as [number, number], 4);
          return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
        }
        if (Array.isArray(v.$u8) && Object.keys(v).length === 1) return blob(v.$u8 as [number, number], 1);
        if (typeof v.$num === 'string' && Object.keys(v).length === 1) return Number(v.$num);
      }
      return value;
    });
  } catch (e) {
    if (e instanceof RunFileError) throw e;
    if (e instanceof JsonLimitError) throw new RunFileError(e.message);
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
