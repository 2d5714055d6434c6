// The translate box: its input, decoding choice and the last answer.

import { create } from 'zustand';
import type { Translation } from '../../train/protocol';
import { hasPretrained } from '../../train/pretrained';

/**
 * The model that answers: the shipped one only exists for some tasks (none for copy/reverse/sort or
 * an imported file), so there the model being trained answers whatever was chosen.
 */
export function effectiveModel(chosen: 'current' | 'pretrained', task: string | undefined): 'current' | 'pretrained' {
  return chosen === 'pretrained' && task !== undefined && hasPretrained(task) ? 'pretrained' : 'current';
}

export interface TranslateState {
  text: string;
  /** Beam width; 1 is greedy decoding. */
  beam: number;
  model: 'current' | 'pretrained';
  busy: boolean;
  result: Translation | null;
  error: string | null;
  set(p: Partial<Pick<TranslateState, 'text' | 'beam' | 'model'>>): void;
  started(): void;
  answered(t: Translation): void;
  failed(message: string): void;
}

export const useTranslate = create<TranslateState>()((set) => ({
  text: '',
  beam: 1,
  // The shipped model answers the moment the page opens; the one being trained needs steps first.
  model: 'pretrained',
  busy: false,
  result: null,
  error: null,
  set(p) {
    set(p);
  },
  started() {
    set({ busy: true, error: null });
  },
  answered(result) {
    set({ busy: false, result, error: null });
  },
  failed(error) {
    // The previous answer (and its alignment) belongs to another input or model: it goes.
    set({ busy: false, error, result: null });
  },
}));
