// Attention snapshots of the probe sentence, in step order, and which one the scrubber shows.
// A run of many thousand steps would keep thousands of snapshots; past MAX_SNAPSHOTS the older
// half is thinned (every other one dropped), so the scrubber still spans the whole run with
// finer resolution near the present.

import { create } from 'zustand';
import type { AttentionSnapshot } from '../../train/protocol';

export const MAX_SNAPSHOTS = 120;

/** Keeps the first and the newest half intact and drops every other snapshot of the older half. */
export function thinSnapshots(list: readonly AttentionSnapshot[], max = MAX_SNAPSHOTS): AttentionSnapshot[] {
  if (list.length <= max) return [...list];
  let out = [...list];
  while (out.length > max) {
    const half = Math.floor(out.length / 2);
    const older = out.slice(0, half).filter((_, i) => i % 2 === 0);
    out = [...older, ...out.slice(half)];
  }
  return out;
}

/** Inserts in step order; a snapshot of the same step and probe replaces the old one. */
export function insertSnapshot(list: readonly AttentionSnapshot[], s: AttentionSnapshot): AttentionSnapshot[] {
  const out = list.filter((x) => !(x.step === s.step && x.probe === s.probe));
  let i = out.length;
  while (i > 0 && out[i - 1].step > s.step) i--;
  out.splice(i, 0, s);
  return out;
}

export interface AttentionState {
  snapshots: AttentionSnapshot[];
  /** The step the scrubber shows, or null to follow the newest snapshot. */
  selectedStep: number | null;
  /** Which probe sentence to show (index into ModelInfo.probes). */
  probe: number;
  add(s: AttentionSnapshot): void;
  selectStep(step: number | null): void;
  setProbe(p: number): void;
  clear(): void;
  restore(list: AttentionSnapshot[]): void;
}

export const useAttention = create<AttentionState>()((set, get) => ({
  snapshots: [],
  selectedStep: null,
  probe: 0,
  add(s) {
    set({ snapshots: thinSnapshots(insertSnapshot(get().snapshots, s)) });
  },
  selectStep(step) {
    set({ selectedStep: step });
  },
  setProbe(p) {
    set({ probe: p });
  },
  clear() {
    set({ snapshots: [], selectedStep: null });
  },
  restore(list) {
    set({ snapshots: thinSnapshots([...list].sort((a, b) => a.step - b.step)), selectedStep: null });
  },
}));

/** The snapshot shown for a selected step: the newest at or before it (the newest overall when following). */
export function snapshotAt(list: readonly AttentionSnapshot[], step: number | null): AttentionSnapshot | null {
  if (list.length === 0) return null;
  if (step === null) return list[list.length - 1];
  let best = list[0];
  for (const s of list) if (s.step <= step) best = s;
  return best;
}

/** The snapshots of the chosen probe sentence (all of them when none matches, e.g. older runs). */
export function snapshotsOfProbe(list: readonly AttentionSnapshot[], probe: number): AttentionSnapshot[] {
  const mine = list.filter((s) => s.probe === probe);
  return mine.length > 0 ? mine : [...list];
}
