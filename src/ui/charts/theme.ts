// Colours for charts and canvases, following the system's light/dark preference. SVG attributes
// cannot read CSS variables, so the palette is chosen in script from the media query.

import { useSyncExternalStore } from 'react';

const query = '(prefers-color-scheme: dark)';

function subscribe(cb: () => void): () => void {
  if (typeof matchMedia === 'undefined') return () => {};
  const m = matchMedia(query);
  m.addEventListener('change', cb);
  return () => m.removeEventListener('change', cb);
}

export function useDark(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => typeof matchMedia !== 'undefined' && matchMedia(query).matches,
    () => false,
  );
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
  return v.toExponential(0);
}
