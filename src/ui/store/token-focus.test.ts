import { describe, expect, it } from 'vitest';
import { focusOfCell, marksOf, sidesOf } from './token-focus';

describe('token focus', () => {
  it('rows are queries and columns keys: self-attention on one side, cross and RNN target → source', () => {
    expect(sidesOf('encoder-self', 'probe')).toEqual({ context: 'probe', rows: 'src', cols: 'src' });
    expect(sidesOf('decoder-self', 'probe')).toEqual({ context: 'probe', rows: 'tgt', cols: 'tgt' });
    expect(sidesOf('cross', 'probe')).toEqual({ context: 'probe', rows: 'tgt', cols: 'src' });
    expect(sidesOf('rnn', 'translate')).toEqual({ context: 'translate', rows: 'tgt', cols: 'src' });
  });

  it('pointing at a cross-attention cell marks its query row in the target maps and its key column in the source maps', () => {
    const f = focusOfCell(sidesOf('cross', 'probe'), 2, 5);
    expect(f).toEqual({ context: 'probe', src: 5, tgt: 2 });
    expect(marksOf(sidesOf('encoder-self', 'probe'), f)).toEqual({ row: 5, col: 5 });
    expect(marksOf(sidesOf('decoder-self', 'probe'), f)).toEqual({ row: 2, col: 2 });
    expect(marksOf(sidesOf('cross', 'probe'), f)).toEqual({ row: 2, col: 5 });
  });

  it('a self-attention cell focuses its key token; another sentence marks nothing', () => {
    const f = focusOfCell(sidesOf('encoder-self', 'probe'), 1, 3);
    expect(f).toEqual({ context: 'probe', src: 3, tgt: null });
    expect(marksOf(sidesOf('cross', 'probe'), f)).toEqual({ row: null, col: 3 });
    expect(marksOf(sidesOf('cross', 'translate'), f)).toEqual({ row: null, col: null });
    expect(marksOf(sidesOf('cross', 'probe'), null)).toEqual({ row: null, col: null });
  });
});
