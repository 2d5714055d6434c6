// Sequential colour maps from d3-scale-chromatic sampled into 256-entry lookup tables, so a
// canvas fills thousands of cells without formatting a colour string per cell.

import { interpolateInferno, interpolateViridis } from 'd3-scale-chromatic';

export type Rgb = [number, number, number];

function parseColor(c: string): Rgb {
  if (c.startsWith('#') && c.length === 7) return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
  const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(c);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  throw new Error(`unexpected colour '${c}'`);
}

export class ColorMap {
  readonly rgb: Uint8ClampedArray;
  readonly css: string[];

  constructor(interpolate: (t: number) => string, readonly size = 256) {
    this.rgb = new Uint8ClampedArray(size * 3);
    this.css = [];
    for (let i = 0; i < size; i++) {
      const c = parseColor(interpolate(i / (size - 1)));
      this.rgb.set(c, i * 3);
      this.css.push(`rgb(${c[0]},${c[1]},${c[2]})`);
    }
  }

  /** Index for t in [0, 1] (clamped; NaN → 0). */
  index(t: number): number {
    if (!(t > 0)) return 0;
    if (t >= 1) return this.size - 1;
    return Math.round(t * (this.size - 1));
  }
}

/** Attention weights: viridis (dark purple → yellow). */
export const attentionMap = new ColorMap(interpolateViridis);
/** Gradient norms on a log scale: inferno. */
export const normMap = new ColorMap(interpolateInferno);
