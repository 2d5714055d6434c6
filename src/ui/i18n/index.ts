// i18next with the page's two languages. The language comes from ?lang=, then the last choice
// (localStorage), then the browser's languages; English is the fallback for missing keys.

import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { zhCN } from './zh-cn';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'zh-CN', name: '简体中文' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'attention-playground.lang';

/** Maps a BCP 47 tag onto a supported language (zh, zh-Hans, zh-CN, zh-SG → zh-CN). */
export function supported(tag: string | null | undefined): Language | null {
  if (!tag) return null;
  const t = tag.toLowerCase();
  if (t === 'en' || t.startsWith('en-')) return 'en';
  if (t === 'zh' || t === 'zh-cn' || t === 'zh-sg' || t.startsWith('zh-hans')) return 'zh-CN';
  return null;
}

export function detectLanguage(search: string, stored: string | null, browser: readonly string[]): Language {
  const fromUrl = supported(new URLSearchParams(search).get('lang'));
  if (fromUrl) return fromUrl;
  const fromStore = supported(stored);
  if (fromStore) return fromStore;
  for (const b of browser) {
    const s = supported(b);
    if (s) return s;
  }
  return 'en';
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function initI18n(lng: Language = detectLanguage(location.search, storedLanguage(), navigator.languages ?? [navigator.language])): typeof i18next {
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    lng,
    fallbackLng: 'en',
    supportedLngs: LANGUAGES.map((l) => l.code),
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  });
  document.documentElement.lang = lng;
  return i18next;
}

export function setLanguage(code: string): void {
  const lng = supported(code) ?? 'en';
  void i18next.changeLanguage(lng);
  document.documentElement.lang = lng;
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // private mode: the choice lasts for this page only
  }
  const url = new URL(location.href);
  url.searchParams.set('lang', lng);
  history.replaceState(history.state, '', url);
}
