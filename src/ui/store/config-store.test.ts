import { beforeEach, describe, expect, it } from 'vitest';
import { configToSearchParams, DEFAULT_CONFIG } from '../../train/config';
import { applyPending, changedFields, fromSearch, searchFor, useConfig } from './config-store';

beforeEach(() => useConfig.getState().replace(DEFAULT_CONFIG));

describe('config store', () => {
  it('applies a valid value', () => {
    useConfig.getState().setField('lr', '0.01');
    const s = useConfig.getState();
    expect(s.config.lr).toBe(0.01);
    expect(s.pending).toEqual({});
    expect(s.errors).toEqual({});
  });

  it('keeps an invalid value pending with its message and does not apply it', () => {
    useConfig.getState().setField('lr', '-1');
    const s = useConfig.getState();
    expect(s.config.lr).toBe(DEFAULT_CONFIG.lr);
    expect(s.pending.lr).toBe('-1');
    expect(s.errors.lr).toMatch(/must be ≥ 0/);
  });

  it('says "must be a number" for text that is not one', () => {
    useConfig.getState().setField('batch', '12abc');
    expect(useConfig.getState().errors.batch).toBe('must be a number');
    useConfig.getState().setField('batch', '');
    expect(useConfig.getState().errors.batch).toBe('must be a number');
    expect(useConfig.getState().config.batch).toBe(DEFAULT_CONFIG.batch);
  });

  it('shows a cross-field message beside the field edited, and applies both once the other side is fixed', () => {
    useConfig.getState().setField('heads', '3'); // 64 % 3 ≠ 0
    expect(useConfig.getState().errors.heads).toMatch(/must divide d_model/);
    expect(useConfig.getState().config.heads).toBe(4);
    useConfig.getState().setField('dModel', '48');
    const s = useConfig.getState();
    expect(s.config.dModel).toBe(48);
    expect(s.config.heads).toBe(3);
    expect(s.errors).toEqual({});
  });

  it('fixing an invalid field by typing a valid value clears its message', () => {
    useConfig.getState().setField('dropout', '2');
    expect(useConfig.getState().errors.dropout).toBeTruthy();
    useConfig.getState().setField('dropout', '0.1');
    expect(useConfig.getState().errors.dropout).toBeUndefined();
    expect(useConfig.getState().config.dropout).toBe(0.1);
  });

  it('sets booleans, enums and the inf norm type', () => {
    const set = useConfig.getState().setField;
    set('tieEmbeddings', true);
    set('model', 'rnn');
    set('normType', 'inf');
    const c = useConfig.getState().config;
    expect(c.tieEmbeddings).toBe(true);
    expect(c.model).toBe('rnn');
    expect(c.normType).toBe('inf');
    set('model', 'mamba');
    expect(useConfig.getState().errors.model).toBeTruthy();
    expect(useConfig.getState().config.model).toBe('rnn');
  });
});

describe('URL', () => {
  it('round-trips a config through the query string', () => {
    const c = { ...DEFAULT_CONFIG, lr: 0.0005, model: 'rnn' as const, cell: 'gru' as const, clip: 'value' as const, clipValue: 0.5, normType: 'inf' as const };
    const search = searchFor(c, '');
    const back = fromSearch(search);
    expect(back.errors).toEqual({});
    expect(back.config).toEqual(c);
  });

  it('writes only the fields that differ from the defaults and keeps the page parameters', () => {
    expect(searchFor(DEFAULT_CONFIG, '?lang=zh-CN&view=attention&foo=1')).toBe('?lang=zh-CN&view=attention');
    expect(searchFor({ ...DEFAULT_CONFIG, batch: 8 }, '')).toBe('?batch=8');
    expect(configToSearchParams(DEFAULT_CONFIG).toString()).toBe('');
  });

  it('reports invalid URL values beside their field and leaves them unapplied', () => {
    const r = fromSearch('?lr=-1&batch=abc&layers=3&lang=en');
    expect(r.config.layers).toBe(3);
    expect(r.config.lr).toBe(DEFAULT_CONFIG.lr);
    expect(r.config.batch).toBe(DEFAULT_CONFIG.batch);
    expect(r.pending).toEqual({ lr: '-1', batch: 'abc' });
    expect(r.errors.lr).toMatch(/≥ 0/);
    expect(r.errors.batch).toBe('must be a number');
  });

  it('applies URL values that are valid only together, whatever their order', () => {
    const r = fromSearch('?heads=3&dModel=48');
    expect(r.errors).toEqual({});
    expect(r.config.heads).toBe(3);
    expect(r.config.dModel).toBe(48);
  });

  it('loadSearch sets the store', () => {
    useConfig.getState().loadSearch('?steps=50&maxNorm=0');
    const s = useConfig.getState();
    expect(s.config.steps).toBe(50);
    expect(s.errors.maxNorm).toMatch(/> 0/);
  });
});

describe('helpers', () => {
  it('applyPending with nothing pending is the identity', () => {
    expect(applyPending(DEFAULT_CONFIG, {})).toEqual({ config: DEFAULT_CONFIG, pending: {}, errors: {} });
  });

  it('changedFields lists the differing keys', () => {
    expect(changedFields(DEFAULT_CONFIG, { ...DEFAULT_CONFIG, lr: 1, seed: 2 }).sort()).toEqual(['lr', 'seed']);
  });
});
