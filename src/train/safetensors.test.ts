import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { withinBound } from '../data/testing/hang-bound';
import { SafetensorsError, readSafetensors, writeSafetensors, type SafetensorsTensor } from './safetensors';

const enc = (s: string) => new TextEncoder().encode(s);

/** A file from a header text (padded to 8 with spaces when asked) and data bytes, built by hand. */
function file(header: string, data: number[] = [], pad = true): Uint8Array {
  const h = enc(header);
  const n = pad ? Math.ceil(h.length / 8) * 8 : h.length;
  const out = new Uint8Array(8 + n + data.length);
  new DataView(out.buffer).setUint32(0, n, true);
  out.set(h, 8);
  out.fill(0x20, 8 + h.length, 8 + n);
  out.set(data, 8 + n);
  return out;
}

const f32Bytes = (xs: number[]) => [...new Uint8Array(new Float32Array(xs).buffer)];

describe('byte-level fixtures', () => {
  it("matches the reference implementation's test_serialization bytes", () => {
    // From safetensors/src/tensor.rs: "attn.0", F32, shape [1, 2, 3], values 0..5.
    const expected = [
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34,
      115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91,
      48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ];
    const out = writeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    expect([...out]).toEqual(expected);
    const back = readSafetensors(new Uint8Array(expected));
    expect(back.tensors['attn.0'].shape).toEqual([1, 2, 3]);
    expect([...back.tensors['attn.0'].data]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("matches the reference implementation's forced-alignment bytes (header padded with 7 spaces)", () => {
    const out = writeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(65);
    expect([...out]).toEqual([72, 0, 0, 0, 0, 0, 0, 0, ...enc(header), 32, 32, 32, 32, 32, 32, 32, ...f32Bytes([0, 1, 2, 3, 4, 5])]);
  });

  it("matches the reference implementation's empty-file bytes, with and without metadata", () => {
    expect([...writeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect([...writeSafetensors({}, { framework: 'pt' })]).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, ...enc('{"__metadata__":{"framework":"pt"}}'), 32, 32, 32, 32, 32,
    ]);
  });

  it('reads a hand-made file with metadata, an I32 and an F32 tensor, and writes it back byte for byte', () => {
    // Layout by the spec's writer rule: F32 before I32 (descending dtype order), then by name.
    const header =
      '{"__metadata__":{"format":"pt","step":"12"},' +
      '"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"ids":{"dtype":"I32","shape":[3],"data_offsets":[8,20]}}';
    // 153 bytes of JSON, padded with 7 spaces to 160.
    expect(enc(header).length).toBe(153);
    const data = [
      ...[0x00, 0x00, 0xc0, 0x3f], // 1.5f little-endian
      ...[0x00, 0x00, 0x20, 0xc0], // -2.5f
      ...[0x01, 0x00, 0x00, 0x00], // 1
      ...[0xff, 0xff, 0xff, 0xff], // -1
      ...[0x00, 0x01, 0x00, 0x00], // 256
    ];
    const bytes = file(header, data);
    expect(bytes.length).toBe(8 + 160 + 20);
    expect([...bytes.subarray(0, 8)]).toEqual([160, 0, 0, 0, 0, 0, 0, 0]);
    const r = readSafetensors(bytes);
    expect(r.metadata).toEqual({ format: 'pt', step: '12' });
    expect(r.tensors.w).toEqual({ dtype: 'F32', shape: [2], data: new Float32Array([1.5, -2.5]) });
    expect(r.tensors.ids).toEqual({ dtype: 'I32', shape: [3], data: new Int32Array([1, -1, 256]) });
    expect([...writeSafetensors(r.tensors, r.metadata)]).toEqual([...bytes]);
  });

  it('reads from a Node Buffer that lives inside a larger pooled ArrayBuffer', () => {
    const bytes = writeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array([1.5, 2.5]) } });
    const buf = Buffer.from(bytes);
    const r = readSafetensors(buf);
    expect(r.tensors.w.data).toEqual(new Float32Array([1.5, 2.5]));
    expect(r.tensors.w.data.buffer.byteLength).toBe(8);
  });

  it('reads tensors in any header order and at unaligned positions of the buffer', () => {
    const header = '{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}';
    const bytes = file(header, f32Bytes([7, 9]));
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const r = readSafetensors(shifted.subarray(1));
    expect([...r.tensors.a.data]).toEqual([7]);
    expect(r.tensors.a.shape).toEqual([]);
    expect([...r.tensors.b.data]).toEqual([9]);
  });
});

describe('writer', () => {
  it('orders by dtype (F32 first) then by code point, whatever the insertion order', () => {
    const out = writeSafetensors({
      z: { dtype: 'I32', shape: [1], data: new Int32Array([1]) },
      b: { dtype: 'F32', shape: [1], data: new Float32Array([2]) },
      '\u{1F600}': { dtype: 'F32', shape: [1], data: new Float32Array([3]) },
      '\uff5e': { dtype: 'F32', shape: [1], data: new Float32Array([4]) },
    });
    const n = new DataView(out.buffer).getUint32(0, true);
    const header = new TextDecoder().decode(out.subarray(8, 8 + n)).trimEnd();
    const keys = Object.keys(JSON.parse(header) as object);
    expect(keys).toEqual(['b', '\uff5e', '\u{1F600}', 'z']);
    expect(n % 8).toBe(0);
  });

  it('refuses bad input with one-line errors', () => {
    const f = (t: SafetensorsTensor) => () => writeSafetensors({ x: t });
    expect(f({ dtype: 'F32', shape: [2, 2], data: new Float32Array(3) })).toThrow('shape [2, 2] has 4 elements but the data has 3');
    expect(f({ dtype: 'F32', shape: [-1], data: new Float32Array(0) })).toThrow('whole numbers');
    expect(f({ dtype: 'F32', shape: [1], data: new Int32Array(1) } as unknown as SafetensorsTensor)).toThrow('needs a Float32Array');
    expect(() => writeSafetensors({ __metadata__: { dtype: 'F32', shape: [], data: new Float32Array(1) } })).toThrow('"__metadata__"');
    expect(() => writeSafetensors({}, { a: 1 } as unknown as Record<string, string>)).toThrow('metadata value of "a" must be a string');
  });
});

describe('reader errors', () => {
  const ok = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const err = (bytes: Uint8Array) => {
    try {
      readSafetensors(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(SafetensorsError);
      expect((e as Error).message).not.toContain('\n');
      return (e as Error).message;
    }
    throw new Error('expected a SafetensorsError');
  };

  it('file shorter than 8 bytes', () => {
    expect(err(new Uint8Array(5))).toBe('safetensors: the file has 5 bytes, fewer than the 8 of the header length');
  });

  it('header length larger than the file', () => {
    const b = file(ok, f32Bytes([1, 2]));
    new DataView(b.buffer).setUint32(0, 1000, true);
    expect(err(b)).toContain('the header length 1000 is larger than the rest of the file');
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setUint32(4, 1, true);
    expect(err(huge)).toContain('the header length 4294967296 is larger');
  });

  it('header not UTF-8, not JSON, not an object', () => {
    const bad = file(ok, f32Bytes([1, 2]));
    bad[9] = 0xff;
    expect(err(bad)).toBe('safetensors: the header is not valid UTF-8');
    expect(err(file('{"a":', []))).toMatch(/^safetensors: the header is not valid JSON \(/);
    expect(err(file('[1,2]', []))).toBe('safetensors: the header is not a JSON object');
    expect(err(file('null', []))).toBe('safetensors: the header is not a JSON object');
  });

  it('metadata values not strings', () => {
    expect(err(file('{"__metadata__":{"step":12}}'))).toBe('safetensors: __metadata__ value of "step" is not a string');
    expect(err(file('{"__metadata__":[]}'))).toBe('safetensors: __metadata__ is not an object of strings');
  });

  it('unknown or unsupported dtype, malformed entries', () => {
    expect(err(file('{"a":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]))).toBe('safetensors: tensor "a": unknown dtype "F99"');
    expect(err(file('{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0]))).toBe(
      'safetensors: tensor "a": dtype F16 is not supported here (F32 and I32 only)',
    );
    expect(err(file('{"a":3}'))).toBe('safetensors: tensor "a": the entry is not an object');
    expect(err(file('{"a":{"shape":[1],"data_offsets":[0,4]}}'))).toContain('"dtype" is missing');
    expect(err(file('{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}'))).toContain('"shape" must be a list of whole numbers');
    expect(err(file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}'))).toContain('"data_offsets" must be two whole numbers');
  });

  it('data_offsets out of range, reversed, overlapping, leaving gaps, not matching the shape, not covering the data', () => {
    const two = (a: string, b: string) => `{"a":{"dtype":"F32","shape":[1],"data_offsets":${a}},"b":{"dtype":"F32","shape":[1],"data_offsets":${b}}}`;
    expect(err(file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}', f32Bytes([1, 2])))).toBe(
      'safetensors: tensor "a": data_offsets [0, 12] lie outside the data section (8 bytes)',
    );
    expect(err(file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}', f32Bytes([1, 2])))).toContain('end before they begin');
    expect(err(file(two('[0,4]', '[2,6]'), f32Bytes([1, 2])))).toBe(
      'safetensors: tensors "a" and "b" overlap (data_offsets [0, 4] and [2, 6])',
    );
    expect(err(file(two('[4,8]', '[8,12]'), f32Bytes([1, 2, 3])))).toBe(
      'safetensors: tensor "a": data_offsets [4, 8] leave bytes 0..4 of the data section unused',
    );
    expect(err(file('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', f32Bytes([1, 2])))).toBe(
      'safetensors: tensor "a": data_offsets [0, 8] hold 8 bytes but shape [3] of F32 needs 12',
    );
    expect(err(file(ok, f32Bytes([1, 2, 3])))).toBe('safetensors: the data section has 12 bytes but the tensors cover only 8');
  });
});

describe('round trip', () => {
  it('keeps names, shapes, values (incl. NaN, ±0, ±Infinity) and metadata', () => {
    const tensors: Record<string, SafetensorsTensor> = {
      'encoder.layers.0.self_attn.in_proj_weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([NaN, -0, Infinity, -Infinity, 1e-38, 3.4e38]) },
      'decoder.embed.weight': { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
      step: { dtype: 'I32', shape: [], data: new Int32Array([2 ** 31 - 1]) },
    };
    Object.defineProperty(tensors, '__proto__', { value: { dtype: 'I32', shape: [1], data: new Int32Array([-5]) }, enumerable: true });
    const metadata = { config: JSON.stringify({ a: 1, s: 'é"\n' }), tokenizer: '{"tokens":["<pad>"]}' };
    const r = readSafetensors(writeSafetensors(tensors, metadata));
    expect(r.metadata).toEqual(metadata);
    expect(Object.keys(r.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const u = r.tensors[name];
      expect(u.dtype).toBe(t.dtype);
      expect(u.shape).toEqual(t.shape);
      expect(new Uint8Array(u.data.buffer, u.data.byteOffset, u.data.byteLength)).toEqual(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
  });

  it('round-trips random tensors (fast-check)', () => {
    const tensor = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).chain((shape) => {
        const n = shape.reduce((a, b) => a * b, 1);
        return fc.float32Array({ minLength: n, maxLength: n }).map((d): SafetensorsTensor => ({ dtype: 'F32', shape, data: d }));
      }),
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).chain((shape) => {
        const n = shape.reduce((a, b) => a * b, 1);
        return fc.int32Array({ minLength: n, maxLength: n }).map((d): SafetensorsTensor => ({ dtype: 'I32', shape, data: d }));
      }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 0, maxLength: 6 }).filter((k) => k !== '__metadata__'), tensor, { maxKeys: 5 }),
        fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
        (tensors, metadata) => {
          const bytes = writeSafetensors(tensors, metadata);
          const r = readSafetensors(bytes);
          expect(r.metadata).toEqual(metadata);
          expect(Object.keys(r.tensors).sort()).toEqual(Object.keys(tensors).sort());
          for (const [k, t] of Object.entries(tensors)) {
            expect(r.tensors[k].shape).toEqual(t.shape);
            expect(new Uint8Array(r.tensors[k].data.buffer)).toEqual(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
          }
          expect([...writeSafetensors(r.tensors, r.metadata)]).toEqual([...bytes]);
        },
      ),
      { numRuns: 200 },
    );
  });

  /** Reads within the hang bound; anything thrown must be a SafetensorsError. */
  const readOrRefuse = (b: Uint8Array) =>
    withinBound(() => {
      try {
        readSafetensors(b);
      } catch (e) {
        expect(e).toBeInstanceOf(SafetensorsError);
      }
    }, `${b.length} bytes`);

  it('never throws anything but SafetensorsError on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), readOrRefuse), { numRuns: 500 });
  });

  it('mutated valid files and hostile headers: a value or one SafetensorsError, within the bound', () => {
    const valid = writeSafetensors(
      { 'a.weight': { dtype: 'F32', shape: [3, 4], data: new Float32Array(12).fill(0.5) }, 'b.bias': { dtype: 'I32', shape: [2], data: new Int32Array([1, 2]) } },
      { format: 'x', config: '{"a":1}' },
    );
    const headerLen = new DataView(valid.buffer).getUint32(0, true);
    const header = new TextDecoder().decode(valid.subarray(8, 8 + headerLen));
    /** A file with this header text (padded) and `data` bytes of data. */
    const withHeader = (text: string, data = 0) => {
      const h = new TextEncoder().encode(text);
      const out = new Uint8Array(8 + h.length + data);
      new DataView(out.buffer).setUint32(0, h.length, true);
      out.set(h, 8);
      return out;
    };
    const hugeNumber = fc.constantFrom('1e300', '9007199254740993', '1099511627776', '-1', '1.5', '4294967296');
    fc.assert(
      fc.property(
        fc.oneof(
          // Byte flips and truncation of a valid file.
          fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat()).map(([edits, cut]) => {
            const b = valid.slice(0, 1 + (cut % valid.length));
            for (const [at, v] of edits) b[at % b.length] = v;
            return b;
          }),
          // Numbers in the header replaced by huge, negative or fractional ones.
          fc.tuple(fc.nat(), hugeNumber).map(([i, n]) => {
            const numbers = [...header.matchAll(/\d+/g)];
            const m = numbers[i % numbers.length];
            return withHeader(header.slice(0, m.index) + n + header.slice(m.index + m[0].length), 56);
          }),
          // Shapes with many dimensions, deep nesting, many tensors.
          fc.nat({ max: 5000 }).map((n) => withHeader(`{"t":{"dtype":"F32","shape":[${Array(n).fill(1).join(',')}],"data_offsets":[0,4]}}`, 4)),
          fc.nat({ max: 100_000 }).map((n) => withHeader(`{"t":${'['.repeat(n)}${']'.repeat(n)}}`)),
          fc.nat({ max: 20_000 }).map((n) => withHeader(`{${Array.from({ length: n }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`).join(',')}}`)),
        ),
        readOrRefuse,
      ),
      { numRuns: 80 },
    );
  });
});
