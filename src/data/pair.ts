// The unit of every data set: a source sentence and its translation, as text.

export interface Pair {
  src: string;
  tgt: string;
}

/** Training, validation and test splits; no source sentence of one split occurs in another. */
export interface Splits {
  train: Pair[];
  valid: Pair[];
  test: Pair[];
}

export interface SplitSizes {
  train: number;
  valid: number;
  test: number;
}
