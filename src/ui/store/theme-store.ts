// The colour theme: the system's light/dark preference, or one the user picks in the header
// (kept in localStorage). The choice is written to <html data-theme>, which styles.css reads; the
// chart and canvas palettes (charts/theme.ts) read `isDark`.

import { create } from 'zustand';

export const THEMES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEMES)[number];

const KEY = 'ap:theme';

export function isDark(choice: ThemeChoice, systemDark: boolean): boolean {
  return choice === 'dark' || (choice === 'system' && systemDark);
}

function stored(): ThemeChoice {
  try {
    const v = typeof localStorage !== 'undefined' ? localStorage.getItem(KEY) : null;
    return (THEMES as readonly string[]).includes(v ?? '') ? (v as ThemeChoice) : 'system';
  } catch {
    return 'system';
  }
}

function apply(choice: ThemeChoice): void {
  if (typeof document === 'undefined') return;
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

export interface ThemeState {
  choice: ThemeChoice;
  set(choice: ThemeChoice): void;
}

export const useTheme = create<ThemeState>()((set) => {
  const choice = stored();
  apply(choice);
  return {
    choice,
    set(next) {
      apply(next);
      try {
        localStorage.setItem(KEY, next);
      } catch {
        // Private mode without storage: the choice lasts for this page.
      }
      set({ choice: next });
    },
  };
});
