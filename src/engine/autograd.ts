// Tape-based reverse-mode autograd, after micrograd and PyTorch's Function: every op that sees an
// input requiring grad records a GradNode with a closure carrying the gradient back; backward()
// walks the nodes in reverse topological order, summing the gradients of tensors used twice.
// Backward closures are written with the same ops (run under no-grad), so they work on every
// backend and are checked by the same finite-difference tests.

import { keep } from './scope';
import type { Tensor } from './tensor';
import { add } from './ops/elementwise';
import { onesLike } from './ops/creation';

export type BackwardFn = (gradOutputs: (Tensor | null)[]) => (Tensor | null | undefined)[];

export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly numOutputs: number;
  backward: BackwardFn | null;
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording anything on the tape (torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Records `outputs = op(inputs)` on the tape if grad is enabled and some input requires grad. */
export function record(outputs: Tensor[], inputs: Tensor[], backward: BackwardFn, name: string): void {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return;
  const node: GradNode = { name, inputs, numOutputs: outputs.length, backward };
  outputs.forEach((o, i) => {
    o.requiresGrad = true;
    o.gradFn = node;
    o.outputIndex = i;
  });
}

/** `record` for the common single-output op. */
export function record1(output: Tensor, inputs: Tensor[], backward: (g: Tensor) => (Tensor | null | undefined)[], name: string): Tensor {
  record([output], inputs, (gs) => backward(gs[0] as Tensor), name);
  return output;
}

function topoOrder(root: GradNode): GradNode[] {
  const order: GradNode[] = [];
  const seen = new Set<GradNode>();
  const stack: [GradNode, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1]++;
      const child = node.inputs[i].gradFn;
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order; // children before parents
}

function accumulate(prev: Tensor | null | undefined, g: Tensor): Tensor {
  if (!prev) return g;
  const sum = add(prev, g);
  prev.dispose();
  g.dispose();
  return sum;
}

/**
 * Computes d(root)/d(leaf) for every leaf that requires grad and adds it into `leaf.grad`.
 * `gradient` defaults to 1 for a scalar root. The graph is freed afterwards (retain_graph=False).
 * Leaf hooks run once per backward on the leaf's summed gradient, before accumulation.
 */
export function backward(root: Tensor, gradient?: Tensor): void {
  if (!root.requiresGrad) throw new Error('backward(): the tensor does not require grad (no op on the tape produced it)');
  if (!gradient && root.size !== 1) throw new Error(`backward(): a gradient is needed for a non-scalar output of shape [${root.shape.join(', ')}]`);
  noGrad(() => {
    const seed = gradient ?? onesLike(root);
    const leafGrads = new Map<Tensor, Tensor>();
    const nodeGrads = new Map<GradNode, (Tensor | null)[]>();
    if (!root.gradFn) leafGrads.set(root, seed);
    else {
      const gs = new Array<Tensor | null>(root.gradFn.numOutputs).fill(null);
      gs[root.outputIndex] = seed;
      nodeGrads.set(root.gradFn, gs);
    }
    const order = root.gradFn ? topoOrder(root.gradFn) : [];
    for (let n = order.length - 1; n >= 0; n--) {
      const node = order[n];
      const gs = nodeGrads.get(node);
      nodeGrads.delete(node);
      if (!gs || !node.backward) continue;
      const inputGrads = node.backward(gs);
      for (const g of gs) if (g && g !== gradient) g.dispose();
      node.inputs.forEach((inp, i) => {
        const g = inputGrads[i];
        if (!g) return;
        if (!inp.requiresGrad) {
          g.dispose();
          return;
        }
        if (g.shape.length !== inp.shape.length || g.shape.some((d, k) => d !== inp.shape[k])) {
          throw new Error(`${node.name} backward: gradient shape [${g.shape.join(', ')}] does not match input [${inp.shape.join(', ')}]`);
        }
        if (inp.gradFn) {
          let slot = nodeGrads.get(inp.gradFn);
          if (!slot) nodeGrads.set(inp.gradFn, (slot = new Array<Tensor | null>(inp.gradFn.numOutputs).fill(null)));
          slot[inp.outputIndex] = accumulate(slot[inp.outputIndex], g);
        } else {
          leafGrads.set(inp, accumulate(leafGrads.get(inp), g));
        }
      });
      node.backward = null; // free the saved tensors the closure holds
    }
    for (const [leaf, g0] of leafGrads) {
      let g = g0;
      for (const hook of leaf.hooks) {
        const r = hook(g);
        if (r && r !== g) {
          g.dispose();
          g = r;
        }
      }
      leaf.grad = keep(leaf.grad ? accumulate(leaf.grad, g) : g);
    }
  });
}

/** Sets every parameter's gradient to none (PyTorch's default `zero_grad(set_to_none=True)`). */
export function zeroGrad(params: Iterable<Tensor>): void {
  for (const p of params) {
    p.grad?.dispose();
    p.grad = null;
  }
}
