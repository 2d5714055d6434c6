// The PyTorch code equivalent to a clipping config, shown beside each clipping method.

import type { RunConfig } from '../../train/config';

/** Python literal of a number as PyTorch code would write it. */
function py(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

const PY_FLAGS: Record<string, string> = { i: 're.I', m: 're.M', s: 're.S' };

/**
 * The Python test of a parameter-group pattern (src/train/param-group-pattern.ts): /regex/flags
 * → re.search, a glob (* or ?) → fnmatch, else a substring. Split by hand: no regular expression
 * runs on the user's pattern.
 */
function groupTest(group: string): string {
  const last = group.lastIndexOf('/');
  const flags = group.slice(last + 1);
  if (group.startsWith('/') && last > 0 && [...flags].every((f) => f >= 'a' && f <= 'z')) {
    const py = [...flags].map((f) => PY_FLAGS[f]).filter(Boolean);
    return `re.search(r"${group.slice(1, last)}", name${py.length ? `, ${py.join(' | ')}` : ''})`;
  }
  if (group.includes('*') || group.includes('?')) return `fnmatch.fnmatchcase(name, ${JSON.stringify(group)})`;
  return `${JSON.stringify(group)} in name`;
}

/** The PyTorch code that does what this clipping config does. */
export function pytorchCall(c: Pick<RunConfig, 'clip' | 'clipValue' | 'clipLo' | 'clipHi' | 'clipGroup' | 'maxNorm' | 'normType'>): string {
  switch (c.clip) {
    case 'none':
      return '# no clipping: optimizer.step() uses the raw gradients';
    case 'value':
      return `torch.nn.utils.clip_grad_value_(model.parameters(), clip_value=${py(c.clipValue)})`;
    case 'range': {
      const hook = `p.register_hook(lambda g: torch.clamp(g, ${py(c.clipLo)}, ${py(c.clipHi)}))`;
      if (c.clipGroup === '') return `for p in model.parameters():\n    ${hook}`;
      return `for name, p in model.named_parameters():\n    if ${groupTest(c.clipGroup)}:\n        ${hook}`;
    }
    case 'norm': {
      const nt = c.normType === 'inf' ? "float('inf')" : py(c.normType);
      return `torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=${py(c.maxNorm)}, norm_type=${nt})`;
    }
  }
}
