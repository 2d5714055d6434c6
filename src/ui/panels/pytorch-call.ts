// The PyTorch code equivalent to a clipping config, shown beside each clipping method.

import type { RunConfig } from '../../train/config';

/** Python literal of a number as PyTorch code would write it. */
function py(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
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
      const re = /^\/(.*)\/$/.exec(c.clipGroup);
      const test = re ? `re.search(r"${re[1]}", name)` : `${JSON.stringify(c.clipGroup)} in name`;
      return `for name, p in model.named_parameters():\n    if ${test}:\n        ${hook}`;
    }
    case 'norm': {
      const nt = c.normType === 'inf' ? "float('inf')" : py(c.normType);
      return `torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=${py(c.maxNorm)}, norm_type=${nt})`;
    }
  }
}
