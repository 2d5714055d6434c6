// The recurrent cells, interchangeable: each is constructed and called like PyTorch's nn.LSTM
// (see ./rnn-base), so switching cell is one word:
//
//   const rnn = new CELLS[kind](ctx, { inputSize, hiddenSize, numLayers, bidirectional });
//   const { output, state } = rnn.forward(x, state0, { lengths });
//
// state.c exists only for 'lstm' (its cell state); JANET's cell state is h itself; GRU and IndRNN
// have none. Cell-specific options (JANET's tMax/beta, IndRNN's bounds and gradient clamps) are
// read by their cell and ignored by the others.

import type { InitContext } from '../../engine';
import { GRU } from './gru';
import { IndRNN, IndRNNv2, type IndRnnOptions } from './indrnn';
import { JANET, type JanetOptions } from './janet';
import { LSTM } from './lstm';
import type { RecurrentLayers } from './rnn-base';

export type CellKind = 'lstm' | 'gru' | 'janet' | 'indrnn' | 'indrnn2';

/** Every cell's options together (each cell reads its own). */
export type CellOptions = JanetOptions & IndRnnOptions;

export type CellConstructor = new (ctx: InitContext, options: CellOptions) => RecurrentLayers;

export const CELLS: Readonly<Record<CellKind, CellConstructor>> = {
  lstm: LSTM,
  gru: GRU,
  janet: JANET,
  indrnn: IndRNN,
  indrnn2: IndRNNv2,
};

export const CELL_KINDS = Object.keys(CELLS) as CellKind[];

export { GRU, IndRNN, IndRNNv2, JANET, LSTM };
export type { GruOptions } from './gru';
export type { LstmOptions } from './lstm';
export type { IndRnnOptions, JanetOptions };
export { RecurrentLayers, type RnnForwardOptions, type RnnOptions, type RnnOutput, type RnnState } from './rnn-base';
