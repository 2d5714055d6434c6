// The real-language tasks: Tatoeba sentence pairs shipped as files in public/data (fetched by
// the page when such a task is chosen, read from disk by the CLI). Their splits are made by
// distinct English sentence (every translation of one sentence in the same split), fixed by
// the seed, and scored against every translation of a source (multi-reference).

export const REAL_TASK_NAMES = ['tatoeba-eng-fra', 'tatoeba-eng-zh'] as const;
export type RealTaskName = (typeof REAL_TASK_NAMES)[number];

/** The credit the data's licence (CC-BY 2.0 FR) asks for wherever the data or a model trained on it is shipped. */
export const TATOEBA_CREDIT = 'Sentence pairs from Tatoeba (tatoeba.org), CC-BY 2.0 FR, via manythings.org/anki.';

export interface RealTaskSpec {
  name: RealTaskName;
  title: string;
  description: string;
  /** The pair file, relative to the site root (public/ in the repository). */
  file: string;
  /** sacreBLEU tokenizer for scoring the targets. */
  bleuTokenizer: '13a' | 'zh';
  /** Source sentences to offer in the translate box. */
  examples: readonly string[];
  /** Pairs held out for testing and validation (at most; whole source groups). */
  heldOut: { test: number; valid: number };
}

export const REAL_TASKS: Record<RealTaskName, RealTaskSpec> = {
  'tatoeba-eng-fra': {
    name: 'tatoeba-eng-fra',
    title: 'Tatoeba English → French',
    description: '74,470 real English–French sentence pairs from Tatoeba (48k distinct English sentences of 1–9 words), read as subword pieces.',
    file: 'data/tatoeba-eng-fra.tsv',
    bleuTokenizer: '13a',
    examples: ['I am a student.', 'Where is the train station?', 'Tom lost his keys yesterday.', 'I have never been to Paris.'],
    heldOut: { test: 1000, valid: 1000 },
  },
  'tatoeba-eng-zh': {
    name: 'tatoeba-eng-zh',
    title: 'Tatoeba English → Chinese',
    description: '28,631 real English–Chinese sentence pairs from Tatoeba, read as subword pieces.',
    file: 'data/tatoeba-eng-zh.tsv',
    bleuTokenizer: 'zh',
    examples: ['I am a student.', 'Where is the train station?', 'Tom likes coffee.', 'It is raining today.'],
    heldOut: { test: 500, valid: 500 },
  },
};

export function isRealTaskName(name: string): name is RealTaskName {
  return (REAL_TASK_NAMES as readonly string[]).includes(name);
}
