// Parity with PyTorch's nn.LSTM (batch_first, 2 layers, bidirectional): outputs, final states and
// the gradients of sum(out ⊙ R) (+ state terms) with respect to the input, the initial state and
// every parameter, against tools/parity/lstm.py run in float64 by Debian's python3-torch.
// Node projects only (it spawns /usr/bin/python3); skipped with a reason when torch is missing.
import { describe, it } from 'vitest';
import { add, backward, fromData, initContext, mul, sum, tidy, toArray, type Backend, type Tensor } from '../../engine';
import { testBackends } from '../../engine/testing/backends';
import { randomData } from '../../engine/testing/check';
import { LSTM } from './lstm';
import { expectParity as expectParityWithin, inBrowser, NEEDS_NODE, nodeModules, runTorchScript, torchMissing, type NodeModules } from '../../engine/testing/torch-parity';

interface TorchResult {
  output: number[];
  h: number[];
  c: number[];
  grads: { x: number[]; h0?: number[]; c0?: number[]; params: Record<string, number[]> };
  torch: string;
}

function runTorch(m: NodeModules, input: object): TorchResult {
  return runTorchScript<TorchResult>(m, new URL('../../../tools/parity/lstm.py', import.meta.url), input);
}

const RTOL = 1e-4;
const ATOL = 1e-6;

function expectParity(actual: ArrayLike<number>, expected: readonly number[], what: string): number {
  return expectParityWithin(actual, expected, what, RTOL, ATOL);
}

async function parityCase(m: NodeModules, b: Backend, withStateAndPadding: boolean): Promise<void> {
  const [B, T, I, H, L, D] = [3, 5, 4, 6, 2, 2];
  const opts = { inputSize: I, hiddenSize: H, numLayers: L, bidirectional: true };
  const rnn = new LSTM(initContext(withStateAndPadding ? 2 : 1, b), opts);
  const named = rnn.namedParameters();
  const xs = randomData(B * T * I, 10);
  const R = randomData(B * T * D * H, 11);
  const sShape = [L * D, B, H];
  const sN = L * D * B * H;
  const [h0d, c0d, Rh, Rc] = [randomData(sN, 12, 0.5), randomData(sN, 13, 0.5), randomData(sN, 14), randomData(sN, 15)];
  const lengths = [5, 2, 4];
  const input: Record<string, unknown> = {
    ...opts,
    xShape: [B, T, I],
    x: xs,
    R,
    params: Object.fromEntries(await Promise.all(named.map(async ([n, p]) => [n, Array.from(await toArray(p))] as const))),
  };
  if (withStateAndPadding) Object.assign(input, { lengths, h0: h0d, c0: c0d, Rh, Rc });
  const ref = runTorch(m, input);

  const x = fromData(xs, [B, T, I], 'f32', b);
  const h0 = fromData(h0d, sShape, 'f32', b);
  const c0 = fromData(c0d, sShape, 'f32', b);
  for (const t of [x, h0, c0]) t.requiresGrad = true;
  const got = tidy(() => {
    const r = withStateAndPadding ? rnn.forward(x, { h: h0, c: c0 }, { lengths }) : rnn.forward(x);
    let loss: Tensor = sum(mul(r.output, fromData(R, [B, T, D * H], 'f32', b)));
    if (withStateAndPadding) {
      loss = add(loss, add(sum(mul(r.state.h, fromData(Rh, sShape, 'f32', b))), sum(mul(r.state.c!, fromData(Rc, sShape, 'f32', b)))));
    }
    backward(loss);
    return [r.output, r.state.h, r.state.c!];
  });
  const [out, hN, cN] = await Promise.all(got.map(toArray));
  const worst: Record<string, number> = {};
  worst.output = expectParity(out, ref.output, 'output');
  worst.h_n = expectParity(hN, ref.h, 'h_n');
  worst.c_n = expectParity(cN, ref.c, 'c_n');
  worst['∂x'] = expectParity(await toArray(x.grad!), ref.grads.x, '∂x');
  if (withStateAndPadding) {
    worst['∂h0'] = expectParity(await toArray(h0.grad!), ref.grads.h0!, '∂h0');
    worst['∂c0'] = expectParity(await toArray(c0.grad!), ref.grads.c0!, '∂c0');
  }
  let wp = 0;
  for (const [n, p] of named) wp = Math.max(wp, expectParity(await toArray(p.grad!), ref.grads.params[n], `∂${n}`));
  worst['∂params'] = wp;
  console.log(
    `[lstm parity] ${b.kind}, torch ${ref.torch}${withStateAndPadding ? ', lengths + h0/c0' : ''}: max relative error ` +
      Object.entries(worst)
        .map(([k, v]) => `${k} ${v.toExponential(1)}`)
        .join(', '),
  );
  for (const t of [...got, x, h0, c0, x.grad, h0.grad, c0.grad]) t?.dispose();
  rnn.dispose();
}

for (const nb of testBackends()) {
  describe(`LSTM parity with PyTorch nn.LSTM on ${nb.name}`, () => {
    for (const withStateAndPadding of [false, true]) {
      const what = withStateAndPadding ? 'padded batch (pack_padded_sequence), initial state, state terms in the loss' : 'zero initial state, sum(out ⊙ R)';
      it(`batch_first, 2 layers, bidirectional: outputs, final states, gradients of x and every parameter (${what})`, async (ctx) => {
        if (inBrowser) ctx.skip(NEEDS_NODE);
        const m = await nodeModules();
        const missing = await torchMissing(m);
        if (missing) ctx.skip(missing);
        await parityCase(m, await nb.get(), withStateAndPadding);
      });
    }
  });
}
