// What every recurrent layer stack shares, shaped like PyTorch's nn.LSTM so that the cells are
// drop-in replacements for each other (swapping is a one-word change, see CELLS in ./index):
//
//   const rnn = new LSTM(ctx, { inputSize, hiddenSize, numLayers: 2, bidirectional: true });
//   const { output, state } = rnn.forward(x, state0, { lengths });
//
//   x       [B, T, I] (batchFirst, the default) or [T, B, I]
//   output  [B, T, D·H] (or [T, B, D·H]); D = 2 when bidirectional, forward direction first
//   state   { h: [L·D, B, H], c?: [L·D, B, H] }, index l·D + d as PyTorch's h_n / c_n; `c` only
//           for cells with a separate cell state (LSTM); other cells ignore a `c` they are given.
//
// Padding (pack_padded_sequence semantics): with `lengths`, row b's state stops updating after
// its last real token (so the final state is the state at that token), its outputs at padded
// positions are 0, and the reverse direction starts at its last real token.
//
// Layer l > 0 reads layer l−1's output, through dropout(p = options.dropout) in training mode as
// in PyTorch (every layer's output but the last's; the mask of layer l is seeded with
// layerDropoutSeed(seed, l), `seed` from the forward options or drawn from the init RNG).
// PyTorch's proj_size (LSTM projections) is not implemented: a non-zero projSize is refused.
// Parameters are registered per layer and direction in
// PyTorch's order (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, weight_ih_l0_reverse, ...).
//
// Each direction's steps write y_t straight into a [B, H] view of the layer's output; one
// recorded op then hands the output's gradient back to the steps as views (no copies).

import {
  dropout,
  empty,
  fillInto,
  copyInto,
  contiguousRaw,
  fromData,
  Module,
  parameter,
  permute,
  record,
  select,
  stack,
  unaryRaw,
  zeros,
  type Backend,
  type InitContext,
  type Random,
  type Tensor,
} from '../../engine';

export interface RnnOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers (PyTorch's num_layers). Default 1. */
  numLayers?: number;
  /** x and output are [B, T, ·] (true, the default here) or [T, B, ·]. */
  batchFirst?: boolean;
  /** A second direction per layer running backward in time; outputs are concatenated. Default false. */
  bidirectional?: boolean;
  /** Use bias vectors. Default true. */
  bias?: boolean;
  /** Dropout on each layer's output but the last, in training mode (PyTorch's dropout). Default 0. */
  dropout?: number;
  /** PyTorch's proj_size: not supported here; only 0 (no projection) is accepted. */
  projSize?: number;
  /**
   * Use these tensors as the parameters, by their PyTorch names, instead of initialising new ones
   * (weight transfer between cells that share names, and gradient checks).
   */
  parameters?: Readonly<Record<string, Tensor>>;
}

/** Hidden state (and cell state where the cell has one), each [L·D, B, H]. */
export interface RnnState {
  h: Tensor;
  c?: Tensor;
}

export interface RnnForwardOptions {
  /** Valid length of each batch row (0 ≤ length ≤ T); positions at or after it are padding. */
  lengths?: ArrayLike<number>;
  /** Seed of the between-layer dropout masks (default: drawn from the module's init RNG). */
  seed?: number;
}

/** The dropout seed of layer l's output for a forward call seeded with `seed`. */
export function layerDropoutSeed(seed: number, l: number): number {
  return (seed + Math.imul(l + 1, 0x9e3779b9)) >>> 0;
}

export interface RnnOutput {
  output: Tensor;
  state: RnnState;
}

/** Which rows are padding at which step, for one forward call. */
export class Padding {
  private constructor(
    readonly lengths: readonly number[] | null,
    /** i32 [B] on the input's backend; null when every row has all T steps. */
    readonly tensor: Tensor | null,
  ) {}

  static of(lengths: ArrayLike<number> | undefined, B: number, T: number, backend: Backend): Padding {
    if (!lengths) return new Padding(null, null);
    const ls = Array.from(lengths);
    if (ls.length !== B) throw new Error(`lengths: ${ls.length} values for a batch of ${B}`);
    for (const l of ls) {
      if (!Number.isInteger(l) || l < 0 || l > T) throw new Error(`lengths: ${l} is not an integer in [0, ${T}]`);
    }
    if (ls.every((l) => l === T)) return new Padding(null, null);
    return new Padding(ls, fromData(ls, [B], 'i32', backend));
  }

  /** The lengths tensor when some row is padding at step t, else null (the kernels skip the test). */
  at(t: number): Tensor | null {
    return this.lengths && this.lengths.some((l) => t >= l) ? this.tensor : null;
  }

  dispose(): void {
    this.tensor?.dispose();
  }
}

/** What one direction of one layer is given. */
export interface DirectionInput {
  layer: number;
  reverse: boolean;
  /** Parameter-name suffix: `_l{layer}` or `_l{layer}_reverse`. */
  suffix: string;
  /** The layer input, [B, T, In] (a view when the caller is not batch-first). */
  x: Tensor;
  h0: Tensor;
  c0: Tensor | null;
  padding: Padding;
  /** Time indices in processing order (T−1 … 0 for the reverse direction). */
  order: number[];
  /** The [B, H] view of the layer output that step t writes. */
  stepOut(t: number): Tensor;
  /** The [B, T, H] view of this direction's columns of the layer output. */
  sequenceOut(): Tensor;
}

/** What one direction hands back: its final state and the tensors it wrote into the output. */
export interface DirectionOutput {
  h: Tensor;
  c: Tensor | null;
  /** Views into the layer output written by this direction (the output's autograd inputs). */
  parts: Tensor[];
}

/** One parameter of one layer and direction: its name stem, shape and initial values. */
export interface ParamSpec {
  stem: 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh';
  shape: number[];
  init: (rng: InitContext['rng'], n: number) => Float32Array;
}

/** PyTorch's RNN initialisation: every weight and bias U(−1/√H, 1/√H). */
export function uniformInit(bound: number): ParamSpec['init'] {
  return (rng, n) => Float32Array.from({ length: n }, () => rng.uniform(-bound, bound));
}

export const zeroInit: ParamSpec['init'] = (_rng, n) => new Float32Array(n);

/**
 * T views [B, n] of x [B, T, n] (torch.unbind along time), recorded as one op whose backward
 * gathers the per-step gradients into one [B, T, n] tensor.
 */
export function unbindTime(x: Tensor): Tensor[] {
  const [B, T, n] = x.shape;
  const views = Array.from({ length: T }, (_, t) => x.view([B, n], [x.strides[0], x.strides[2]], x.offset + t * x.strides[1]));
  record(
    views,
    [x],
    (gs) => {
      const g = empty(x.shape, 'f32', x.backend);
      if (gs.some((s) => !s)) fillInto(g, 0);
      gs.forEach((s, t) => {
        if (!s) return;
        const dst = g.view([B, n], [T * n, 1], t * n);
        copyInto(dst, s);
        dst.dispose();
      });
      return [g];
    },
    'unbindTime',
  );
  return views;
}

/**
 * The layer output as one tensor over `store`, whose regions the steps wrote; its gradient goes
 * back to each part as the matching view of the (contiguous) output gradient.
 */
function assembleOutput(store: Tensor, parts: Tensor[]): Tensor {
  const out = store.view(store.shape, store.strides, store.offset);
  record(
    [out],
    parts,
    (gs) => {
      const g = contiguousRaw(gs[0]!);
      const grads = parts.map((p) => (p.requiresGrad ? g.view(p.shape, p.strides, g.offset + p.offset - store.offset) : null));
      g.dispose();
      return grads;
    },
    'rnnOutput',
  );
  return out;
}

/** The shared layer/direction/batch-first/padding plumbing; a cell supplies its parameters and one direction's recurrence. */
export abstract class RecurrentLayers extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly batchFirst: boolean;
  readonly bidirectional: boolean;
  readonly numDirections: number;
  readonly bias: boolean;
  /** Dropout probability between layers (training mode only). */
  readonly dropout: number;
  /** Whether state.c exists (a cell state separate from h). */
  abstract readonly hasCellState: boolean;
  private readonly byName = new Map<string, Tensor>();
  private rng: Random | null = null;

  constructor(options: RnnOptions) {
    super();
    const { inputSize, hiddenSize } = options;
    this.numLayers = options.numLayers ?? 1;
    for (const [k, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['numLayers', this.numLayers]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer, got ${v}`);
    }
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.batchFirst = options.batchFirst ?? true;
    this.bidirectional = options.bidirectional ?? false;
    this.numDirections = this.bidirectional ? 2 : 1;
    this.bias = options.bias ?? true;
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new Error(`dropout must be a probability in [0, 1], got ${this.dropout}`);
    if (options.projSize !== undefined && options.projSize !== 0) {
      throw new Error(`proj_size (projSize = ${options.projSize}) is not supported: LSTM projections are not implemented`);
    }
  }

  /** Registers every layer's and direction's parameters in PyTorch's order (given tensors, or fresh ones). */
  protected build(ctx: InitContext, options: RnnOptions, specs: (inSize: number) => ParamSpec[]): void {
    this.rng = ctx.rng;
    const given = options.parameters;
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? this.inputSize : this.hiddenSize * this.numDirections;
      for (let d = 0; d < this.numDirections; d++) {
        for (const s of specs(inSize)) {
          if (!this.bias && s.stem.startsWith('bias')) continue;
          const name = `${s.stem}_l${l}${d === 1 ? '_reverse' : ''}`;
          let t: Tensor;
          if (given) {
            const g = given[name];
            if (!g) throw new Error(`parameters: '${name}' is missing`);
            if (g.rank !== s.shape.length || g.shape.some((v, i) => v !== s.shape[i])) {
              throw new Error(`parameters: '${name}' must have shape [${s.shape.join(', ')}], got [${g.shape.join(', ')}]`);
            }
            t = g;
          } else {
            const n = s.shape.reduce((a, v) => a * v, 1);
            t = parameter(s.init(ctx.rng, n), s.shape, ctx.backend);
          }
          this.byName.set(name, this.registerParameter(name, t));
        }
      }
    }
  }

  /** A parameter by its full PyTorch name (`weight_ih_l0_reverse`), or null (e.g. biases with bias = false). */
  protected param(name: string): Tensor | null {
    return this.byName.get(name) ?? null;
  }

  protected paramOf(name: string): Tensor {
    const p = this.byName.get(name);
    if (!p) throw new Error(`${this.constructor.name}: no parameter '${name}'`);
    return p;
  }

  /** PyTorch-style gradient clamp on every parameter (register_hook), as indrnn-pytorch offers. */
  protected clampGradients(min: number, max: number): void {
    if (!(min <= max)) throw new Error(`gradient clip: need min ≤ max, got [${min}, ${max}]`);
    for (const p of this.parameters()) p.registerHook((g) => unaryRaw('clamp', g, min, max));
  }

  /** Keeps recurrent weights in their allowed range after an optimizer step (IndRNN); nothing for other cells. */
  constrainRecurrentWeights(): void {}

  /** One direction of one layer. */
  protected abstract runDirection(d: DirectionInput): DirectionOutput;

  forward(x: Tensor, state?: RnnState, options: RnnForwardOptions = {}): RnnOutput {
    if (x.rank !== 3) throw new Error(`${this.constructor.name}: input must be [B, T, I] (or [T, B, I]), got [${x.shape.join(', ')}]`);
    const [B, T] = this.batchFirst ? [x.shape[0], x.shape[1]] : [x.shape[1], x.shape[0]];
    if (x.shape[2] !== this.inputSize) throw new Error(`${this.constructor.name}: input size ${x.shape[2]}, expected ${this.inputSize}`);
    const H = this.hiddenSize;
    const D = this.numDirections;
    const L = this.numLayers;
    const backend = x.backend;
    const want = [L * D, B, H];
    for (const [k, s] of [['h', state?.h], ['c', this.hasCellState ? state?.c : undefined]] as const) {
      if (s && (s.rank !== 3 || s.shape.some((v, i) => v !== want[i]))) {
        throw new Error(`${this.constructor.name}: state.${k} must be [${want.join(', ')}], got [${s.shape.join(', ')}]`);
      }
    }
    const padding = Padding.of(options.lengths, B, T, backend);
    const temporaries: Tensor[] = [];
    const zero: { t: Tensor | null } = { t: null };
    const zeroState = () => (zero.t ??= zeros([B, H], { backend }));
    const initial = (s: Tensor | undefined, k: number) => {
      if (!s) return zeroState();
      const v = select(s, 0, k);
      temporaries.push(v);
      return v;
    };

    let input = this.batchFirst ? x : permute(x, [1, 0, 2]);
    if (!this.batchFirst) temporaries.push(input);
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    let output = x;
    const dropping = this.dropout > 0 && this.training && L > 1;
    const seed = dropping ? (options.seed ?? this.rng?.seed32() ?? 0) : 0;
    for (let l = 0; l < L; l++) {
      const store = empty(this.batchFirst ? [B, T, D * H] : [T, B, D * H], 'f32', backend);
      const [sB, sT] = this.batchFirst ? [T * D * H, D * H] : [D * H, B * D * H];
      const parts: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const k = l * D + d;
        const reverse = d === 1;
        const order = Array.from({ length: T }, (_, s) => (reverse ? T - 1 - s : s));
        const r = this.runDirection({
          layer: l,
          reverse,
          suffix: `_l${l}${reverse ? '_reverse' : ''}`,
          x: input,
          h0: initial(state?.h, k),
          c0: this.hasCellState ? initial(state?.c, k) : null,
          padding,
          order,
          stepOut: (t) => store.view([B, H], [sB, 1], t * sT + d * H),
          sequenceOut: () => store.view([B, T, H], [sB, sT, 1], d * H),
        });
        hs.push(r.h);
        if (r.c) cs.push(r.c);
        parts.push(...r.parts);
      }
      output = assembleOutput(store, parts);
      store.dispose();
      if (l + 1 < L) {
        if (!output.requiresGrad) temporaries.push(output);
        let next = output;
        if (dropping) {
          next = dropout(output, this.dropout, true, layerDropoutSeed(seed, l));
          if (!next.requiresGrad) temporaries.push(next);
        }
        input = this.batchFirst ? next : permute(next, [1, 0, 2]);
        if (!this.batchFirst) temporaries.push(input);
      }
    }
    const h = stack(hs, 0);
    const c = this.hasCellState ? stack(cs, 0) : undefined;
    // Nothing recorded (inference): free the per-call temporaries now rather than at the end of tidy.
    if (!output.requiresGrad && !h.requiresGrad && !c?.requiresGrad) {
      for (const t of [...temporaries, ...hs, ...cs]) if (t !== zero.t && !t.isDisposed) t.dispose();
      zero.t?.dispose();
      padding.dispose();
    }
    return { output, state: c ? { h, c } : { h } };
  }
}

/**
 * The step loop of a gate-based cell: steps t in d.order, each writing y_t into d.stepOut(t).
 * `step` runs one time step (its matmul and its fused cell op). Without a tape (inference) each
 * step's temporaries are freed as soon as the next state exists.
 */
export function stepLoop(
  d: DirectionInput,
  inputs: Tensor[],
  step: (input: Tensor, h: Tensor, c: Tensor | null, t: number, out: Tensor) => { h: Tensor; c?: Tensor | null; y: Tensor; temps: Tensor[] },
  temporaries: Tensor[] = [],
): DirectionOutput {
  let h = d.h0;
  let c = d.c0;
  const parts: Tensor[] = [];
  for (const t of d.order) {
    const r = step(inputs[t], h, c, t, d.stepOut(t));
    if (r.y.requiresGrad) parts.push(r.y);
    else {
      for (const x of [...r.temps, r.y, inputs[t]]) x.dispose();
      if (h !== d.h0) h.dispose();
      if (c && c !== d.c0) c.dispose();
    }
    h = r.h;
    c = r.c ?? null;
  }
  if (parts.length === 0) for (const x of temporaries) x.dispose();
  return { h, c, parts };
}
