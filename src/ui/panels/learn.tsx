// "Learn" notes: a short explanation beside the panel it explains, folded by default.

import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export function Learn({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <details className="learn">
      <summary>
        <span className="learn-badge">{t('learn.badge')}</span> {title}
      </summary>
      <div className="learn-body">{children}</div>
    </details>
  );
}

/** A paragraph per line of a translated text. */
export function Paragraphs({ text }: { text: string }) {
  return (
    <>
      {text.split('\n').map((line, i) => (
        <p key={i}>{line}</p>
      ))}
    </>
  );
}
