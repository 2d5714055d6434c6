// The config schema's messages are English (they come from src/train/config.ts, shared with the
// CLI); the common ones are translated by pattern, the rest are shown as they are.

export type T = (key: string, opts?: Record<string, unknown>) => string;

/** Schema messages are English; the common ones have translations keyed by their text. */
export function translateMessage(t: T, message: string): string {
  return message
    .split('; ')
    .map((m) => {
      const pats: [RegExp, string][] = [
        [/^must be a number$/, 'msg.number'],
        [/^must be a whole number$/, 'msg.whole'],
        [/^must be at least (.+)$/, 'msg.atLeast'],
        [/^must be at most (.+)$/, 'msg.atMost'],
        [/^must be ≥ (.+)$/, 'msg.atLeast'],
        [/^must be ≤ (.+)$/, 'msg.atMost'],
        [/^must be > (.+)$/, 'msg.above'],
        [/^must be < (.+)$/, 'msg.below'],
      ];
      for (const [re, key] of pats) {
        const r = re.exec(m);
        if (r) return t(key, { value: r[1] });
      }
      return m;
    })
    .join('; ');
}
