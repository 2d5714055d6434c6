// A run's data: the task's (or the user's) sentence pairs, split, tokenized with vocabularies
// built from the training split only, and encoded to ids. Pairs longer than the model's maximum
// length are left out (and counted), so that every batch fits the position table.

import { splitPairs } from '../data/pairs-file';
import type { Pair, Splits } from '../data/pair';
import { TASKS, isTaskName } from '../data/tasks';
import { REAL_TASKS, isRealTaskName } from '../data/tasks/tatoeba';
import { Tokenizer, type TokenizerLevel } from '../data/tokenizer';
import type { BleuTokenizerName } from './bleu';
import type { EncodedPair } from './batches';
import type { RunConfig } from './config';

export interface Dataset {
  task: string;
  description: string;
  /** Source sentences to offer in the translate box. */
  examples: Pair[];
  train: EncodedPair[];
  valid: EncodedPair[];
  test: EncodedPair[];
  /** Pairs left out of each split for being longer than `maxLen` tokens. */
  dropped: number;
  srcTokenizer: Tokenizer;
  tgtTokenizer: Tokenizer;
  bleuTokenizer: BleuTokenizerName;
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

interface Source {
  task: string;
  description: string;
  level: { src: TokenizerLevel; tgt: TokenizerLevel };
  bleuTokenizer: BleuTokenizerName;
  splits: Splits;
}

function sourceOf(config: RunConfig, pairs: readonly Pair[] | undefined): Source {
  if (isRealTaskName(config.task)) {
    const spec = REAL_TASKS[config.task];
    if (!pairs || pairs.length === 0) throw new DatasetError(`task '${spec.title}' needs its sentence pairs (${spec.file}): load them first`);
    return {
      task: spec.name,
      description: spec.description,
      level: { src: 'bpe', tgt: 'bpe' },
      bleuTokenizer: spec.bleuTokenizer,
      splits: splitPairs(pairs, { seed: config.seed, maxTest: spec.heldOut.test, maxValid: spec.heldOut.valid }),
    };
  }
  if (config.task === 'custom') {
    if (!pairs || pairs.length === 0) throw new DatasetError("task 'custom' needs sentence pairs: import a pair file first");
    if (pairs.length < 10) throw new DatasetError(`the pair file has ${pairs.length === 1 ? '1 usable pair' : `${pairs.length} usable pairs`}; at least 10 are needed`);
    return {
      task: 'custom',
      description: `Your ${pairs.length} imported sentence pairs.`,
      // Subword pieces by default, as for the real tasks (issue #11): real sentences have more
      // word forms than a word vocabulary covers; BPE has no <unk> and keeps case and names.
      level: { src: 'bpe', tgt: 'bpe' },
      bleuTokenizer: pairs.slice(0, 50).some((p) => /\p{Script=Han}/u.test(p.tgt)) ? 'zh' : '13a',
      splits: splitPairs(pairs, { seed: config.seed }),
    };
  }
  if (!isTaskName(config.task)) throw new DatasetError(`unknown task '${config.task as string}'`);
  const spec = TASKS[config.task];
  return { task: spec.name, description: spec.description, level: spec.level, bleuTokenizer: spec.bleuTokenizer, splits: spec.generate(config.seed) };
}

export interface Vocabularies {
  src: Tokenizer;
  tgt: Tokenizer;
}

/**
 * Tokenizers from the training split only (valid/test words stay unseen). `config.tokenizer`
 * overrides the task's levels; a joint BPE vocabulary is one tokenizer trained on both sides.
 */
function buildVocabularies(config: RunConfig, s: Source): Vocabularies {
  const level = (side: TokenizerLevel): TokenizerLevel => (config.tokenizer === 'auto' ? side : config.tokenizer);
  const srcLevel = level(s.level.src);
  const tgtLevel = level(s.level.tgt);
  const train = s.splits.train;
  if (srcLevel === 'bpe' && tgtLevel === 'bpe' && config.jointVocab) {
    const joint = Tokenizer.build(
      train.flatMap((p) => [p.src, p.tgt]),
      { level: 'bpe', maxSize: config.vocabSize },
    );
    return { src: joint, tgt: joint };
  }
  const build = (texts: string[], lvl: TokenizerLevel) => Tokenizer.build(texts, lvl === 'bpe' ? { level: lvl, maxSize: config.vocabSize } : { level: lvl });
  return { src: build(train.map((p) => p.src), srcLevel), tgt: build(train.map((p) => p.tgt), tgtLevel) };
}

/**
 * The data of a run. `vocab` (a loaded checkpoint's) replaces the vocabularies built from the
 * training split; a checkpoint of imported pairs loaded without its pairs gets empty splits and
 * can translate but not train.
 */
export function loadDataset(config: RunConfig, pairs?: readonly Pair[], vocab?: Vocabularies): Dataset {
  if (vocab && config.task === 'custom' && (!pairs || pairs.length === 0)) {
    return {
      task: 'custom',
      description: 'Imported sentence pairs (the pairs themselves are not in the checkpoint).',
      examples: [],
      train: [],
      valid: [],
      test: [],
      dropped: 0,
      srcTokenizer: vocab.src,
      tgtTokenizer: vocab.tgt,
      bleuTokenizer: '13a',
    };
  }
  // A real task's checkpoint loaded without its pair file (translating only, as the page's
  // shipped models are): the tokenizers come from the checkpoint, there is nothing to train on.
  if (vocab && isRealTaskName(config.task) && (!pairs || pairs.length === 0)) {
    const spec = REAL_TASKS[config.task];
    return {
      task: spec.name,
      description: spec.description,
      examples: spec.examples.map((src) => ({ src, tgt: '' })),
      train: [],
      valid: [],
      test: [],
      dropped: 0,
      srcTokenizer: vocab.src,
      tgtTokenizer: vocab.tgt,
      bleuTokenizer: spec.bleuTokenizer,
    };
  }
  const s = sourceOf(config, pairs);
  const { src: srcTokenizer, tgt: tgtTokenizer } = vocab ?? buildVocabularies(config, s);
  let dropped = 0;
  const encode = (list: Pair[]): EncodedPair[] => {
    const out: EncodedPair[] = [];
    for (const p of list) {
      const src = srcTokenizer.encode(p.src);
      const tgt = tgtTokenizer.encode(p.tgt);
      if (src.length > config.maxLen || tgt.length > config.maxLen || src.length === 0) dropped++;
      else out.push({ src, tgt });
    }
    return out;
  };
  const train = encode(s.splits.train);
  const valid = encode(s.splits.valid);
  const test = encode(s.splits.test);
  if (train.length === 0) throw new DatasetError(`no training pair is at most maxLen (${config.maxLen}) tokens long: raise maxLen`);
  if (valid.length === 0) throw new DatasetError('the validation split is empty: import more pairs');
  return {
    task: s.task,
    description: s.description,
    examples: s.splits.valid.slice(0, 4),
    train,
    valid,
    test: test.length ? test : valid,
    dropped,
    srcTokenizer,
    tgtTokenizer,
    bleuTokenizer: s.bleuTokenizer,
  };
}
