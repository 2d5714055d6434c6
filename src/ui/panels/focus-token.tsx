// A token of a sentence that can be pointed at (hover, or keyboard focus): every heatmap of the
// same sentence marks it (src/ui/store/token-focus.ts).

import type { ReactNode } from 'react';
import { useTokenFocus, type FocusContext, type TokenSide } from '../store/token-focus';

export function FocusToken({ context, side, index, className, title, children }: { context: FocusContext; side: TokenSide; index: number; className?: string; title?: string; children: ReactNode }) {
  const set = useTokenFocus((s) => s.set);
  const focused = useTokenFocus((s) => s.focus?.context === context && s.focus[side] === index);
  const on = () => set({ context, src: side === 'src' ? index : null, tgt: side === 'tgt' ? index : null });
  const off = () => set(null);
  return (
    <span
      className={`token${focused ? ' token-focused' : ''}${className ? ` ${className}` : ''}`}
      tabIndex={0}
      title={title}
      data-side={side}
      onMouseEnter={on}
      onMouseLeave={off}
      onFocus={on}
      onBlur={off}
    >
      {children}
    </span>
  );
}

/** A sentence's tokens, each one pointable, separated by spaces. */
export function FocusTokens({ context, side, tokens }: { context: FocusContext; side: TokenSide; tokens: readonly string[] }) {
  return (
    <>
      {tokens.map((tok, i) => (
        <span key={i}>
          <FocusToken context={context} side={side} index={i}>
            {tok}
          </FocusToken>{' '}
        </span>
      ))}
    </>
  );
}
