// The learner's own pair file (Tatoeba / Anki TSV), parsed in the page. Its pairs go to the worker
// with 'configure' when the task is 'custom'; the parser's error (naming its line) and the counts
// of skipped lines are shown beside the file field.

import { create } from 'zustand';
import type { SkippedCounts } from '../../data/pairs-file';
import type { Pair } from '../../train/protocol';

export interface LineError {
  line: number;
  message: string;
}

export interface DataState {
  fileName: string | null;
  pairs: Pair[] | null;
  errors: LineError[];
  /** Bytes read so far while parsing; the file's lines once parsed. */
  lines: number;
  /** Lines the parser skipped, by reason. */
  skipped: SkippedCounts | null;
  parsing: boolean;
  begin(fileName: string): void;
  progress(bytesRead: number): void;
  done(pairs: Pair[], errors: LineError[], lines: number, skipped: SkippedCounts | null): void;
  /** The file could not be read at all. */
  failed(message: string): void;
  clear(): void;
  restore(fileName: string | null, pairs: Pair[] | null): void;
}

export const MAX_SHOWN_ERRORS = 20;

export const useData = create<DataState>()((set) => ({
  fileName: null,
  pairs: null,
  errors: [],
  lines: 0,
  parsing: false,
  skipped: null,
  begin(fileName) {
    set({ fileName, pairs: null, errors: [], lines: 0, parsing: true, skipped: null });
  },
  progress(lines) {
    set({ lines });
  },
  done(pairs, errors, lines, skipped) {
    set({ pairs: pairs.length > 0 ? pairs : null, errors, lines, parsing: false, skipped });
  },
  failed(message) {
    set({ pairs: null, errors: [{ line: 0, message }], parsing: false });
  },
  clear() {
    set({ fileName: null, pairs: null, errors: [], lines: 0, parsing: false, skipped: null });
  },
  restore(fileName, pairs) {
    set({ fileName, pairs, errors: [], lines: pairs?.length ?? 0, parsing: false, skipped: null });
  },
}));
