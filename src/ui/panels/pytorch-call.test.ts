import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../train/config';
import { pytorchCall } from './pytorch-call';

describe('pytorchCall', () => {
  const c = DEFAULT_CONFIG;
  it('by value', () => {
    expect(pytorchCall({ ...c, clip: 'value', clipValue: 0.5 })).toBe('torch.nn.utils.clip_grad_value_(model.parameters(), clip_value=0.5)');
  });
  it('by norm, with 2, p and ∞ norms', () => {
    expect(pytorchCall({ ...c, clip: 'norm', maxNorm: 1, normType: 2 })).toBe('torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0, norm_type=2.0)');
    expect(pytorchCall({ ...c, clip: 'norm', maxNorm: 0.25, normType: 3 })).toContain('max_norm=0.25, norm_type=3.0');
    expect(pytorchCall({ ...c, clip: 'norm', maxNorm: 5, normType: 'inf' })).toContain("norm_type=float('inf')");
  });
  it('by range, on all parameters, a substring group, or a /regex/ group', () => {
    expect(pytorchCall({ ...c, clip: 'range', clipLo: -0.1, clipHi: 1, clipGroup: '' })).toBe(
      'for p in model.parameters():\n    p.register_hook(lambda g: torch.clamp(g, -0.1, 1.0))',
    );
    expect(pytorchCall({ ...c, clip: 'range', clipLo: -1, clipHi: 1, clipGroup: 'decoder' })).toContain('if "decoder" in name:');
    expect(pytorchCall({ ...c, clip: 'range', clipLo: -1, clipHi: 1, clipGroup: '/weight_hh/' })).toContain('if re.search(r"weight_hh", name):');
    expect(pytorchCall({ ...c, clip: 'range', clipLo: -1, clipHi: 1, clipGroup: '/DEC/i' })).toContain('if re.search(r"DEC", name, re.I):');
    expect(pytorchCall({ ...c, clip: 'range', clipLo: -1, clipHi: 1, clipGroup: 'encoder.*.self_attn.*' })).toContain(
      'if fnmatch.fnmatchcase(name, "encoder.*.self_attn.*"):',
    );
  });
  it('none', () => {
    expect(pytorchCall({ ...c, clip: 'none' })).toMatch(/^# no clipping/);
  });
});
