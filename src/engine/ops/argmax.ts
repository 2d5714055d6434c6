// torch.argmax(x, dim=-1): the index of the largest entry of each row, as an i32 tensor of shape
// x.shape[:-1]. Ties go to the lowest index (as torch.argmax on CPU). Non-finite rows: the CPU
// skips NaNs unless one comes first (then the row answers 0); a GPU may assume there are none
// (WGSL allows it), so nothing is promised there. Integer output, so nothing is recorded for
// autograd (PyTorch: argmax has no gradient). Kernel: shaders/argmax.wgsl.
//
// Used where the next input depends on a prediction without reading it back, e.g. an RNN decoder
// fed its own previous argmax (teacher forcing ratio < 1): the ids stay on the device and go
// straight into an embedding lookup.

import code from '../../../shaders/argmax.wgsl?raw';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { shapeStr } from '../shape';
import { cpuArray, empty, gpuBuffer } from '../storage';
import type { Tensor } from '../tensor';
import { contiguousRaw } from './view';

const KERNEL: KernelSpec = { name: 'argmax', code, entryPoint: 'argmax_main', bindings: ['read', 'write'] };

/** Index of the maximum over the last dim: x [..., n] (f32, n ≥ 1) → i32 [...]. */
export function argmax(x: Tensor): Tensor {
  if (x.dtype !== 'f32') throw new Error(`argmax: expected an f32 tensor, got ${x.dtype}`);
  if (x.rank < 1 || x.shape[x.rank - 1] < 1) throw new Error(`argmax: need a non-empty last dim, got ${shapeStr(x.shape)}`);
  const n = x.shape[x.rank - 1];
  const rows = x.size / n;
  const out = empty(x.shape.slice(0, -1), 'i32', x.backend);
  if (rows === 0) return out;
  const xc = contiguousRaw(x);
  if (x.backend.kind === 'cpu') {
    const X = cpuArray(xc);
    const Y = cpuArray(out);
    for (let r = 0; r < rows; r++) {
      const base = xc.offset + r * n;
      let best = X[base];
      let arg = 0;
      for (let j = 1; j < n; j++) {
        if (X[base + j] > best) {
          best = X[base + j];
          arg = j;
        }
      }
      Y[r] = arg;
    }
  } else {
    x.backend.dispatch(KERNEL, [gpuBuffer(xc), gpuBuffer(out)], uniforms().u32(rows, n, xc.offset, 0), Math.ceil(rows / 64));
  }
  xc.dispose();
  return out;
}
