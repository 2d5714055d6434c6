// Colours for charts and canvases, following the theme (the system's light/dark preference unless
// the user picked one, see store/theme-store.ts). SVG attributes
// cannot read CSS variables, so the palette is chosen in script from the media query.

import { useSyncExternalStore } from 'react';
import { isDark, useTheme } from '../store/theme-store';

const query = typeof matchMedia !== 'undefined' ? matchMedia('(prefers-color-scheme: dark)') : null;

function subscribe(cb: () => void): () => void {
  query?.addEventListener('change', cb);
  return () => query?.removeEventListener('change', cb);
}

export function useDark(): boolean {
  const systemDark = useSyncExternalStore(
    subscribe,
    () => query?.matches ?? false,
    () => false,
  );
  return isDark(useTheme((s) => s.choice), systemDark);
}

export interface Palette {
  text: string;
  muted: string;
  grid: string;
  surface: string;
  train: string;
  valid: string;
  pre: string;
  post: string;
  reference: string;
  lr: string;
  accuracy: string;
  exact: string;
  bleu: string;
  chrf: string;
  /** Hatching of exact zeros in attention maps. */
  zeroBg: string;
  zeroHatch: string;
}

export function palette(dark: boolean): Palette {
  return dark
    ? {
        text: '#e6e6e6',
        muted: '#a0a4ab',
        grid: '#3a3f47',
        surface: '#1d2026',
        train: '#6cb4ff',
        valid: '#ffb347',
        pre: '#ff7a85',
        post: '#5fd39b',
        reference: '#c9c9c9',
        lr: '#c59bff',
        accuracy: '#6cb4ff',
        exact: '#5fd39b',
        bleu: '#ffb347',
        chrf: '#c59bff',
        zeroBg: '#2a2d33',
        zeroHatch: '#8a8f98',
      }
    : {
        text: '#1f2328',
        muted: '#59636e',
        grid: '#d8dee4',
        surface: '#ffffff',
        train: '#0a66c2',
        valid: '#c2410c',
        pre: '#c81e3a',
        post: '#15803d',
        reference: '#444c56',
        lr: '#7c3aed',
        accuracy: '#0a66c2',
        exact: '#15803d',
        bleu: '#c2410c',
        chrf: '#7c3aed',
        zeroBg: '#f3f4f6',
        zeroHatch: '#9aa1a9',
      };
}

export function usePalette(): Palette {
  return palette(useDark());
}

/** Compact tick labels: 1.2k, 3.4e-4. */
export function formatTick(v: number): string {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 1) return String(+v.toFixed(2));
  if (a >= 1e-2) return String(+v.toFixed(3));
  return Number(v.toExponential(1)).toExponential();
}

/**
 * Ticks for a log axis: the powers of ten spanning the positive values (with 2× and 5× when the
 * data span less than two decades). Given explicitly so the axis needs no text measuring.
 */
export function logTicks(values: Iterable<number>): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values)
    if (v > 0 && Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  if (!Number.isFinite(lo)) return [0.1, 1];
  const a = Math.floor(Math.log10(lo));
  const b = Math.max(a + 1, Math.ceil(Math.log10(hi)));
  const ticks: number[] = [];
  const fine = b - a < 2;
  for (let k = a; k <= b; k++) {
    const p = 10 ** k;
    ticks.push(+p.toPrecision(1));
    if (fine && k < b) ticks.push(+(2 * p).toPrecision(1), +(5 * p).toPrecision(1));
  }
  // Trim the 2× / 5× ticks outside the data (keep one decade boundary each side).
  return ticks.filter((t, i) => i === 0 || i === ticks.length - 1 || (t >= lo / 1.0001 && t <= hi * 1.0001) || Math.abs(Math.log10(t) % 1) < 1e-9);
}

/** About `count` round ticks (1, 2 or 5 × 10^k apart, at least `minStep`) inside [lo, hi]. */
export function linearTicks(lo: number, hi: number, count: number, minStep = 0): number[] {
  if (!(hi > lo)) return Number.isFinite(lo) ? [lo] : [];
  const raw = Math.max(minStep, (hi - lo) / Math.max(1, count));
  const mag = 10 ** Math.floor(Math.log10(raw));
  // d3's tickIncrement: the 1/2/5 multiple nearest to the raw step (on a log scale).
  const r = raw / mag;
  const step = Math.max(minStep, mag * (r >= Math.sqrt(50) ? 10 : r >= Math.sqrt(10) ? 5 : r >= Math.sqrt(2) ? 2 : 1));
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}
