// Reading and writing the safetensors format (Hugging Face), so checkpoints open in PyTorch with
// `safetensors.torch.load_file` and PyTorch weights can be loaded here.
//
// Layout of a file:
//   bytes 0..8       N, the header length, an unsigned 64-bit little-endian integer;
//   bytes 8..8+N     the header: UTF-8 JSON object {"__metadata__": {string: string},
//                    "<tensor name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...};
//   bytes 8+N..      the data section; a tensor's bytes are data[begin..end), little-endian,
//                    row-major (C order), with end − begin = product(shape) · size(dtype).
//
// What the writer does, matching the reference Rust implementation (safetensors/src/tensor.rs,
// which the Python package also calls):
//   - tensors are laid out sorted by dtype in descending alignment order (the Rust Dtype enum's
//     order; F32 comes before I32), then by name (byte-wise UTF-8 order, i.e. code point order),
//     so every tensor starts at an offset aligned to its element size;
//   - the header is compact JSON (no spaces), "__metadata__" first (left out when there is no
//     metadata; its keys sorted here, where Rust's HashMap order is arbitrary), then the tensors
//     in layout order, each as {"dtype", "shape", "data_offsets"} in that key order;
//   - the header is padded with ASCII spaces to a multiple of 8 bytes, so the data section starts
//     8-aligned in the file.
// What the reader checks, like the Rust reader's validation: the header length fits the file, the
// header is UTF-8 JSON and an object, metadata values are strings, dtypes are known, shapes are
// lists of whole numbers, and the tensors, sorted by their offsets, tile the data section exactly:
// the first begins at 0, each begins where the previous ends (no gap, no overlap), each one's
// byte length equals product(shape) · size(dtype), and the last ends at the end of the file.
// Beyond the Rust reader, the header may nest at most MAX_HEADER_DEPTH deep (untrusted files:
// SECURITY.md). As the tensors tile the file, nothing is allocated beyond the file's size.

import { checkJsonBounds, JsonLimitError } from '../data/json-limits';

export type SafetensorsDtype = 'F32' | 'I32';

export type SafetensorsTensor =
  | { dtype: 'F32'; shape: number[]; data: Float32Array }
  | { dtype: 'I32'; shape: number[]; data: Int32Array };

export interface SafetensorsFile {
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(`safetensors: ${message}`);
    this.name = 'SafetensorsError';
  }
}

/** Every dtype the format defines, with its element size in bytes, in the Rust enum's (alignment) order. */
const KNOWN_DTYPES: ReadonlyMap<string, number> = new Map([
  ['BOOL', 1],
  ['U8', 1],
  ['I8', 1],
  ['F8_E5M2', 1],
  ['F8_E4M3', 1],
  ['I16', 2],
  ['U16', 2],
  ['F16', 2],
  ['BF16', 2],
  ['I32', 4],
  ['U32', 4],
  ['F32', 4],
  ['F64', 8],
  ['I64', 8],
  ['U64', 8],
]);
const DTYPE_RANK: ReadonlyMap<string, number> = new Map([...KNOWN_DTYPES.keys()].map((d, i) => [d, i]));

/** The Rust reader's limit on the header size. */
const MAX_HEADER_BYTES = 100_000_000;
/**
 * The header's nesting ({tensor: {shape: [..]}} is 3 deep): a deeper one is refused before
 * JSON.parse, which is slow on deep nesting (json-limits.ts).
 */
const MAX_HEADER_DEPTH = 8;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Compares strings by Unicode code point, which is the byte order of their UTF-8 encodings. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

const LONE_SURROGATE = /\p{Surrogate}/u;

function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Serialises tensors and string metadata to the bytes of a .safetensors file. */
export function writeSafetensors(tensors: Record<string, SafetensorsTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    if (name === '__metadata__') throw new SafetensorsError('a tensor cannot be named "__metadata__"');
    if (LONE_SURROGATE.test(name)) throw new SafetensorsError(`tensor name ${JSON.stringify(name)} is not valid Unicode`);
    if (t.dtype !== 'F32' && t.dtype !== 'I32') throw new SafetensorsError(`tensor "${name}": cannot write dtype ${String((t as { dtype: unknown }).dtype)}`);
    const wantArray = t.dtype === 'F32' ? Float32Array : Int32Array;
    if (!(t.data instanceof wantArray)) throw new SafetensorsError(`tensor "${name}": dtype ${t.dtype} needs a ${wantArray.name}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(`tensor "${name}": the shape must be a list of whole numbers ≥ 0`);
    }
    if (elementCount(t.shape) !== t.data.length) {
      throw new SafetensorsError(`tensor "${name}": shape ${shapeText(t.shape)} has ${elementCount(t.shape)} elements but the data has ${t.data.length}`);
    }
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new SafetensorsError(`metadata value of "${k}" must be a string`);
    if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v)) throw new SafetensorsError(`metadata "${k}" is not valid Unicode`);
  }

  names.sort((a, b) => DTYPE_RANK.get(tensors[b].dtype)! - DTYPE_RANK.get(tensors[a].dtype)! || compareCodePoints(a, b));

  // Build the JSON text by hand so that the key order is the documented one.
  const parts: string[] = [];
  const metaKeys = Object.keys(metadata).sort(compareCodePoints);
  if (metaKeys.length > 0) {
    parts.push(`"__metadata__":{${metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const end = offset + t.data.byteLength;
    parts.push(`${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLen = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLen, true);
  view.setUint32(4, Math.floor(headerLen / 4294967296), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const name of names) {
    const t = tensors[name];
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    } else {
      for (let i = 0; i < t.data.length; i++) {
        if (t.dtype === 'F32') view.setFloat32(pos + 4 * i, t.data[i], true);
        else view.setInt32(pos + 4 * i, t.data[i], true);
      }
    }
    pos += t.data.byteLength;
  }
  return out;
}

interface HeaderEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and validates a .safetensors file; F32 and I32 tensors are returned as copies. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw new SafetensorsError(`the file has ${bytes.length} bytes, fewer than the 8 of the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(0, true) + view.getUint32(4, true) * 4294967296;
  if (headerLen > bytes.length - 8) {
    throw new SafetensorsError(`the header length ${headerLen} is larger than the rest of the file (${bytes.length - 8} bytes)`);
  }
  if (headerLen > MAX_HEADER_BYTES) throw new SafetensorsError(`the header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    throw new SafetensorsError('the header is not valid UTF-8');
  }
  let header: unknown;
  try {
    checkJsonBounds(text, 'the header', { maxLength: MAX_HEADER_BYTES, maxDepth: MAX_HEADER_DEPTH });
    header = JSON.parse(text) as unknown;
  } catch (e) {
    if (e instanceof JsonLimitError) throw new SafetensorsError(e.message);
    throw new SafetensorsError(`the header is not valid JSON (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  if (!isPlainObject(header)) throw new SafetensorsError('the header is not a JSON object');

  const metadata: [string, string][] = [];
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (value === null) continue;
      if (!isPlainObject(value)) throw new SafetensorsError('__metadata__ is not an object of strings');
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw new SafetensorsError(`__metadata__ value of "${k}" is not a string`);
        metadata.push([k, v]);
      }
      continue;
    }
    if (!isPlainObject(value)) throw new SafetensorsError(`tensor "${name}": the entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = value;
    if (typeof dtype !== 'string') throw new SafetensorsError(`tensor "${name}": "dtype" is missing or not a string`);
    if (!KNOWN_DTYPES.has(dtype)) throw new SafetensorsError(`tensor "${name}": unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d): d is number => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw new SafetensorsError(`tensor "${name}": "shape" must be a list of whole numbers ≥ 0`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((d): d is number => Number.isSafeInteger(d) && (d as number) >= 0)
    ) {
      throw new SafetensorsError(`tensor "${name}": "data_offsets" must be two whole numbers ≥ 0`);
    }
    entries.push({ name, dtype, shape, begin: offsets[0], end: offsets[1] });
  }

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: HeaderEntry | undefined;
  for (const e of entries) {
    const range = `[${e.begin}, ${e.end}]`;
    if (e.end < e.begin) throw new SafetensorsError(`tensor "${e.name}": data_offsets ${range} end before they begin`);
    if (e.end > dataLen) throw new SafetensorsError(`tensor "${e.name}": data_offsets ${range} lie outside the data section (${dataLen} bytes)`);
    if (e.begin < covered) {
      throw new SafetensorsError(`tensors "${previous!.name}" and "${e.name}" overlap (data_offsets [${previous!.begin}, ${previous!.end}] and ${range})`);
    }
    if (e.begin > covered) throw new SafetensorsError(`tensor "${e.name}": data_offsets ${range} leave bytes ${covered}..${e.begin} of the data section unused`);
    const need = elementCount(e.shape) * KNOWN_DTYPES.get(e.dtype)!;
    if (e.end - e.begin !== need) {
      throw new SafetensorsError(`tensor "${e.name}": data_offsets ${range} hold ${e.end - e.begin} bytes but shape ${shapeText(e.shape)} of ${e.dtype} needs ${need}`);
    }
    covered = e.end;
    previous = e;
  }
  if (covered !== dataLen) throw new SafetensorsError(`the data section has ${dataLen} bytes but the tensors cover only ${covered}`);

  const tensors: [string, SafetensorsTensor][] = [];
  for (const e of entries) {
    if (e.dtype !== 'F32' && e.dtype !== 'I32') {
      throw new SafetensorsError(`tensor "${e.name}": dtype ${e.dtype} is not supported here (F32 and I32 only)`);
    }
    const n = elementCount(e.shape);
    const at = dataStart + e.begin;
    // Copy into a buffer of its own: the tensor's bytes need not be 4-aligned in the caller's
    // buffer, and a Node Buffer's slice() would be a view into a larger (pooled) ArrayBuffer.
    const raw = new Uint8Array(bytes.subarray(at, at + 4 * n));
    if (e.dtype === 'F32') {
      const data = LITTLE_ENDIAN_HOST ? new Float32Array(raw.buffer) : Float32Array.from({ length: n }, (_, i) => view.getFloat32(at + 4 * i, true));
      tensors.push([e.name, { dtype: 'F32', shape: e.shape, data }]);
    } else {
      const data = LITTLE_ENDIAN_HOST ? new Int32Array(raw.buffer) : Int32Array.from({ length: n }, (_, i) => view.getInt32(at + 4 * i, true));
      tensors.push([e.name, { dtype: 'I32', shape: e.shape, data }]);
    }
  }
  // Object.fromEntries defines own properties, so names like "__proto__" are kept as data.
  return { tensors: Object.fromEntries(tensors), metadata: Object.fromEntries(metadata) };
}
