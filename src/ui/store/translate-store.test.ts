import { beforeEach, describe, expect, it } from 'vitest';
import { effectiveModel, useTranslate } from './translate-store';
import { taskTitle } from '../../train/pretrained';
import type { Translation } from '../../train/protocol';

const answer: Translation = { id: 1, srcTokens: ['a', '<eos>'], unknown: [false, false], outTokens: ['b', '<eos>'], text: 'b', alignment: new Float32Array(4) };

describe('translate store', () => {
  beforeEach(() => useTranslate.setState({ result: null, error: null, busy: false, model: 'pretrained' }));

  it('an error clears the previous answer and its alignment', () => {
    useTranslate.getState().answered(answer);
    useTranslate.getState().started();
    useTranslate.getState().failed('no pretrained model is shipped for the task “Copy”');
    expect(useTranslate.getState().result).toBeNull();
    expect(useTranslate.getState().error).toMatch(/Copy/);
    expect(useTranslate.getState().busy).toBe(false);
  });

  it('the model being trained answers where no pretrained model is shipped', () => {
    expect(effectiveModel('pretrained', 'dates')).toBe('pretrained');
    expect(effectiveModel('pretrained', 'copy')).toBe('current');
    expect(effectiveModel('pretrained', 'custom')).toBe('current');
    expect(effectiveModel('pretrained', undefined)).toBe('current');
    expect(effectiveModel('current', 'dates')).toBe('current');
  });

  it('messages name tasks as the page does, never by an id like custom', () => {
    expect(taskTitle('copy')).toBe('the task “Copy”');
    expect(taskTitle('custom')).toBe('your imported pairs');
    expect(taskTitle('custom')).not.toMatch(/'custom'/);
  });
});
