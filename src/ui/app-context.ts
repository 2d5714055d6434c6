// The page's controller, handed to components through context (tests can pass their own).

import { createContext, useContext } from 'react';
import type { Playground } from './controller';

export const PlaygroundContext = createContext<Playground | null>(null);

export function usePlayground(): Playground {
  const p = useContext(PlaygroundContext);
  if (!p) throw new Error('usePlayground outside <PlaygroundContext.Provider>');
  return p;
}
