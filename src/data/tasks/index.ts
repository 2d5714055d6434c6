// The bundled tasks: generated in code from a seed, nothing downloaded. The registry tells the
// UI and the CLI what each task is, how to tokenize each side, and how to score it.

import type { SplitSizes, Splits } from '../pair';
import type { TokenizerLevel } from '../tokenizer';
import { DATES_DEFAULT_SIZES, generateDates } from './dates';
import { ENG_FRA_DEFAULT_SIZES, generateEngFra } from './eng-fra';
import { ENG_ZH_DEFAULT_SIZES, generateEngZh } from './eng-zh';
import { SEQUENCE_DEFAULT_SIZES, generateSequence } from './sequence';

export type { Pair, SplitSizes, Splits } from '../pair';
export { TaskError } from './generate';

export const TASK_NAMES = ['eng-fra', 'eng-zh', 'dates', 'copy', 'reverse', 'sort'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export interface TaskSpec {
  name: TaskName;
  /** Short name for the UI. */
  title: string;
  /** One sentence for the UI. */
  description: string;
  /** Tokenizer level of each side. */
  level: { src: TokenizerLevel; tgt: TokenizerLevel };
  /** sacreBLEU tokenizer for scoring the targets ('zh' for Chinese; see src/train/bleu.ts). */
  bleuTokenizer: '13a' | 'zh';
  defaultSizes: SplitSizes;
  /** Source sentences to offer in the translate box. */
  examples: readonly string[];
  /** Deterministic, disjoint splits from the seed; missing sizes take `defaultSizes`. */
  generate(seed: number, sizes?: Partial<SplitSizes>): Splits;
  /**
   * What the translate box does to a typed input before the tokenizer, so that it is written as
   * the training data is (the dates task's sources are all lower case: "July" would read as
   * "<unk>uly"). Absent: the input goes as typed.
   */
  normalizeInput?(text: string): string;
}

export const TASKS: Record<TaskName, TaskSpec> = {
  'eng-fra': {
    name: 'eng-fra',
    title: 'English → French',
    description: 'Short English sentences ("she is not very happy .") translated into French with agreement, articles, elision and negation done right; "you all" and "you girls" ask for vous.',
    level: { src: 'word', tgt: 'word' },
    bleuTokenizer: '13a',
    defaultSizes: ENG_FRA_DEFAULT_SIZES,
    examples: ['she is not very happy .', 'i have a small cat .', 'we don\'t drink coffee .', 'is he looking for his keys ?'],
    generate: generateEngFra,
  },
  'eng-zh': {
    name: 'eng-zh',
    title: 'English → Chinese',
    description: 'The same kind of short English sentences translated into Simplified Chinese, read character by character.',
    level: { src: 'word', tgt: 'char' },
    bleuTokenizer: 'zh',
    defaultSizes: ENG_ZH_DEFAULT_SIZES,
    examples: ['she is not happy .', 'we have two cats .', 'he plays football every day .', 'do you like tea ?'],
    generate: generateEngZh,
  },
  dates: {
    name: 'dates',
    title: 'Dates → ISO',
    description: 'Dates written by hand in many formats ("the 23rd of november 2026", "11/23/26") rewritten as ISO dates (2026-11-23), character by character.',
    level: { src: 'char', tgt: 'char' },
    bleuTokenizer: '13a',
    defaultSizes: DATES_DEFAULT_SIZES,
    examples: ['the 23rd of november 2026', 'monday, march 2, 1998', '11/23/26', '23.11.2026'],
    generate: generateDates,
    normalizeInput: (text) => text.toLowerCase(),
  },
  copy: {
    name: 'copy',
    title: 'Copy',
    description: 'Copy a sequence of 3–12 letters: attention learns a straight diagonal.',
    level: { src: 'word', tgt: 'word' },
    bleuTokenizer: '13a',
    defaultSizes: SEQUENCE_DEFAULT_SIZES,
    examples: ['a b c d e', 'h e l l o', 'q w e r t y u i'],
    generate: (seed, sizes) => generateSequence('copy', seed, sizes),
  },
  reverse: {
    name: 'reverse',
    title: 'Reverse',
    description: 'Write a sequence of 3–12 letters backwards: attention learns the anti-diagonal.',
    level: { src: 'word', tgt: 'word' },
    bleuTokenizer: '13a',
    defaultSizes: SEQUENCE_DEFAULT_SIZES,
    examples: ['a b c d e', 'h e l l o', 'q w e r t y u i'],
    generate: (seed, sizes) => generateSequence('reverse', seed, sizes),
  },
  sort: {
    name: 'sort',
    title: 'Sort',
    description: 'Sort a sequence of 3–12 letters alphabetically: attention has to search the whole input for each output letter.',
    level: { src: 'word', tgt: 'word' },
    bleuTokenizer: '13a',
    defaultSizes: SEQUENCE_DEFAULT_SIZES,
    examples: ['d a c b', 'h e l l o', 'z y x a b c'],
    generate: (seed, sizes) => generateSequence('sort', seed, sizes),
  },
};

export function isTaskName(name: string): name is TaskName {
  return (TASK_NAMES as readonly string[]).includes(name);
}

/** A typed input as the task's training data would write it (see TaskSpec.normalizeInput). */
export function taskInput(task: string, text: string): string {
  return isTaskName(task) ? (TASKS[task].normalizeInput?.(text) ?? text) : text;
}
