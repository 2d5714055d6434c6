import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zhCN } from './zh-cn';
import { detectLanguage, supported } from './index';
import { translateMessage } from './messages';

type Tree = { [k: string]: string | Tree };

function leaves(t: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(t)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('resources', () => {
  const a = leaves(en as Tree);
  const b = leaves(zhCN as Tree);

  it('en and zh-CN have the same keys', () => {
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  });

  it('every translation uses the same placeholders as the English', () => {
    for (const [k, v] of a) expect({ k, p: placeholders(b.get(k) ?? '') }).toEqual({ k, p: placeholders(v) });
  });

  it('no string is empty', () => {
    for (const [k, v] of [...a, ...b]) expect({ k, empty: v.trim() === '' }).toEqual({ k, empty: false });
  });

  it('the clipping explanations name the PyTorch calls', () => {
    for (const r of [en, zhCN]) {
      expect(r.learn.clip).toContain('torch.nn.utils.clip_grad_value_(params, c)');
      expect(r.learn.clip).toContain('p.register_hook(lambda g: torch.clamp(g, lo, hi))');
      expect(r.learn.clip).toContain('torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)');
    }
  });
});

describe('language detection', () => {
  it('maps tags onto the supported languages', () => {
    expect(supported('zh')).toBe('zh-CN');
    expect(supported('zh-Hans-CN')).toBe('zh-CN');
    expect(supported('zh-TW')).toBeNull();
    expect(supported('en-GB')).toBe('en');
    expect(supported('fr')).toBeNull();
  });

  it('prefers the URL, then the stored choice, then the browser', () => {
    expect(detectLanguage('?lang=zh-CN', 'en', ['en'])).toBe('zh-CN');
    expect(detectLanguage('', 'zh-CN', ['en'])).toBe('zh-CN');
    expect(detectLanguage('', null, ['fr-FR', 'zh-CN'])).toBe('zh-CN');
    expect(detectLanguage('?lang=xx', null, ['fr'])).toBe('en');
  });
});

describe('translateMessage', () => {
  const t = (key: string, o?: Record<string, unknown>) => `${key}(${String(o?.value ?? '')})`;
  it('translates the schema messages it knows and passes the others through', () => {
    expect(translateMessage(t, 'must be > 0')).toBe('msg.above(0)');
    expect(translateMessage(t, 'must be at most 12; heads (3) must divide d_model (64)')).toBe('msg.atMost(12); heads (3) must divide d_model (64)');
  });
});
