// "Lessons in one click": each button sets up and trains preset runs (src/ui/lessons.ts) and
// shows the view where the concept appears.

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePlayground } from '../app-context';
import { LESSONS, type Lesson, type LessonId } from '../lessons';
import { useStatus } from '../store/status-store';

export function LessonsPanel({ onView }: { onView: (view: Lesson['watch']) => void }) {
  const { t } = useTranslation();
  const pg = usePlayground();
  const ready = useStatus((s) => s.phase === 'ready');
  const [running, setRunning] = useState<LessonId | null>(null);
  const start = (id: LessonId) => {
    setRunning(id);
    void pg.runLesson(LESSONS[id], onView).finally(() => setRunning(null));
  };
  return (
    <section className="panel lessons" aria-labelledby="panel-lessons">
      <h2 id="panel-lessons">{t('lessons.title')}</h2>
      <ul>
        {(Object.keys(LESSONS) as LessonId[]).map((id) => (
          <li key={id}>
            <button type="button" disabled={!ready || running !== null} onClick={() => start(id)} aria-describedby={`lesson-${id}-desc`}>
              {t(`lessons.${id}.title`)}
            </button>
            <span id={`lesson-${id}-desc`} className="field-hint">
              {running === id ? t('lessons.running') : t(`lessons.${id}.desc`)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
