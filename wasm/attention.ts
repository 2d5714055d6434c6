// AssemblyScript: fused scaled dot-product attention, forward and backward, per (batch, head)
// block, for the WebAssembly backend (host: src/engine/wasm/attention.ts; the float64 reference
// and the WGSL kernels are in src/engine/ops/attention.ts and shaders/attention_*.wgsl).
//
//   S = scale · Q Kᵀ (masked entries −∞),  L_i = logsumexp_j S_ij,  P = exp(S − L),  O = P V
//   D_i = dO_i · O_i,  dP = dO Vᵀ,  dS = P ∘ (dP − D),
//   dQ = scale · dS K,  dK = scale · dSᵀ Q,  dV = Pᵀ dO
// (FlashAttention's backward, Dao et al. 2022, eq. in §B.2, with the whole Tq × Tk block of P in
// scratch since our sequences are short). Key j is visible to query i when j < i + Tk − Tq + 1
// (causal) and mask[b, j] > 0.5; a row that sees no key gets O = 0 and L = MASKED_L.
// Operands are [B, H, T, c] with unit column stride; strides count elements, pointers are bytes.
// No dropout here: the host takes the reference path when attention dropout is on.

const MASKED_L: f32 = 3.4028234e38;

/** Σ_c a[c]·b[c] over n floats, four lanes at a time. */
function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= n; c += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(a + <usize>c * 4), v128.load(b + <usize>c * 4)));
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; c < n; c++) s += load<f32>(a + <usize>c * 4) * load<f32>(b + <usize>c * 4);
  return s;
}

/** y[c] += alpha · x[c] over n floats. */
function axpy(y: usize, alpha: f32, x: usize, n: i32): void {
  const av = f32x4.splat(alpha);
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const p = y + <usize>c * 4;
    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(av, v128.load(x + <usize>c * 4))));
  }
  for (; c < n; c++) {
    const p = y + <usize>c * 4;
    store<f32>(p, load<f32>(p) + alpha * load<f32>(x + <usize>c * 4));
  }
}

function zero(y: usize, n: i32): void {
  memory.fill(y, 0, <usize>n * 4);
}

function keyEnd(causal: bool, i: i32, Tq: i32, Tk: i32): i32 {
  if (!causal) return Tk;
  const e = i + Tk - Tq + 1;
  return e < 0 ? 0 : e > Tk ? Tk : e;
}

function visible(mask: usize, b: i32, j: i32, Tk: i32): bool {
  return mask == 0 || load<f32>(mask + <usize>(b * Tk + j) * 4) > 0.5;
}

/**
 * Forward for blocks blk0 .. blk1-1 (block = b·H + h; threads split them). Strides (batch, head, row) per operand; o laid out by its strides,
 * lse contiguous [B, H, Tq], w (0 = not wanted) contiguous [B, H, Tq, Tk]; s: Tk floats of scratch.
 */
export function sdpaForward(
  q: usize, qb: i32, qh: i32, qt: i32,
  k: usize, kb: i32, kh: i32, kt: i32,
  v: usize, vb: i32, vh: i32, vt: i32,
  o: usize, ob: i32, oh: i32, ot: i32,
  mask: usize, lse: usize, w: usize,
  H: i32, Tq: i32, Tk: i32, d: i32, dv: i32, scale: f32, causal: bool, blk0: i32, blk1: i32, s: usize,
): void {
  for (let blk = blk0; blk < blk1; blk++) {
    const b = blk / H;
    const h = blk - b * H;
    {
      for (let i = 0; i < Tq; i++) {
        const r = (b * H + h) * Tq + i;
        const end = keyEnd(causal, i, Tq, Tk);
        const qi = q + <usize>(b * qb + h * qh + i * qt) * 4;
        let m: f32 = -Infinity;
        for (let j = 0; j < Tk; j++) {
          let x: f32 = -Infinity;
          if (j < end && visible(mask, b, j, Tk)) {
            x = dot(qi, k + <usize>(b * kb + h * kh + j * kt) * 4, d) * scale;
            if (x > m) m = x;
          }
          store<f32>(s + <usize>j * 4, x);
        }
        const oi = o + <usize>(b * ob + h * oh + i * ot) * 4;
        zero(oi, dv);
        const wr = w + <usize>r * <usize>Tk * 4;
        if (m == -Infinity) {
          store<f32>(lse + <usize>r * 4, MASKED_L);
          if (w) zero(wr, Tk);
          continue;
        }
        let l: f32 = 0;
        for (let j = 0; j < Tk; j++) l += Mathf.exp(load<f32>(s + <usize>j * 4) - m);
        const L = m + Mathf.log(l);
        store<f32>(lse + <usize>r * 4, L);
        for (let j = 0; j < Tk; j++) {
          const p = Mathf.exp(load<f32>(s + <usize>j * 4) - L);
          if (w) store<f32>(wr + <usize>j * 4, p);
          if (p != 0) axpy(oi, p, v + <usize>(b * vb + h * vh + j * vt) * 4, dv);
        }
      }
    }
  }
}

/**
 * Backward for blocks blk0 .. blk1-1: dq, dk, dv laid out by their strides (every element written).
 * scratch: 2·Tq·Tk + Tq floats (P, dS, D).
 */
export function sdpaBackward(
  q: usize, qb: i32, qh: i32, qt: i32,
  k: usize, kb: i32, kh: i32, kt: i32,
  v: usize, vb: i32, vh: i32, vt: i32,
  o: usize, ob: i32, oh: i32, ot: i32,
  g: usize, gb: i32, gh: i32, gt: i32,
  mask: usize, lse: usize,
  dq: usize, dqb: i32, dqh: i32, dqt: i32,
  dk: usize, dkb: i32, dkh: i32, dkt: i32,
  dvp: usize, dvb: i32, dvh: i32, dvt: i32,
  H: i32, Tq: i32, Tk: i32, d: i32, dv: i32, scale: f32, causal: bool, blk0: i32, blk1: i32, scratch: usize,
): void {
  const P = scratch;
  const dS = scratch + <usize>(Tq * Tk) * 4;
  for (let blk = blk0; blk < blk1; blk++) {
    const b = blk / H;
    const h = blk - b * H;
    {
      for (let i = 0; i < Tq; i++) {
        const r = (b * H + h) * Tq + i;
        const gi = g + <usize>(b * gb + h * gh + i * gt) * 4;
        const D = dot(gi, o + <usize>(b * ob + h * oh + i * ot) * 4, dv);
        const L = load<f32>(lse + <usize>r * 4);
        const end = L == MASKED_L ? 0 : keyEnd(causal, i, Tq, Tk);
        const qi = q + <usize>(b * qb + h * qh + i * qt) * 4;
        for (let j = 0; j < Tk; j++) {
          let p: f32 = 0;
          let ds: f32 = 0;
          if (j < end && visible(mask, b, j, Tk)) {
            p = Mathf.exp(scale * dot(qi, k + <usize>(b * kb + h * kh + j * kt) * 4, d) - L);
            ds = p * (dot(gi, v + <usize>(b * vb + h * vh + j * vt) * 4, dv) - D);
          }
          store<f32>(P + <usize>(i * Tk + j) * 4, p);
          store<f32>(dS + <usize>(i * Tk + j) * 4, ds);
        }
        const dqi = dq + <usize>(b * dqb + h * dqh + i * dqt) * 4;
        zero(dqi, d);
        for (let j = 0; j < end; j++) {
          const ds = load<f32>(dS + <usize>(i * Tk + j) * 4);
          if (ds != 0) axpy(dqi, scale * ds, k + <usize>(b * kb + h * kh + j * kt) * 4, d);
        }
      }
      for (let j = 0; j < Tk; j++) {
        const dkj = dk + <usize>(b * dkb + h * dkh + j * dkt) * 4;
        const dvj = dvp + <usize>(b * dvb + h * dvh + j * dvt) * 4;
        zero(dkj, d);
        zero(dvj, dv);
        for (let i = 0; i < Tq; i++) {
          const p = load<f32>(P + <usize>(i * Tk + j) * 4);
          if (p == 0) continue;
          axpy(dvj, p, g + <usize>(b * gb + h * gh + i * gt) * 4, dv);
          const ds = load<f32>(dS + <usize>(i * Tk + j) * 4);
          if (ds != 0) axpy(dkj, scale * ds, q + <usize>(b * qb + h * qh + i * qt) * 4, d);
        }
      }
    }
  }
}
