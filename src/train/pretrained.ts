// The demo checkpoints shipped in public/pretrained (trained by the CLI; see README), so the
// translate box works the moment the page opens. Paths are relative to the page, so the built
// site works from any static host. The worker fetches one the first time it is asked to translate
// with it; a real task's checkpoint carries its tokenizers, so its pair file is not needed.

import { isTaskName, TASKS } from '../data/tasks';

export const PRETRAINED: Readonly<Partial<Record<string, string>>> = {
  'eng-fra': 'pretrained/eng-fra.safetensors',
  'eng-zh': 'pretrained/eng-zh.safetensors',
  dates: 'pretrained/dates.safetensors',
  'tatoeba-eng-fra': 'pretrained/tatoeba-eng-fra.safetensors',
};

export function hasPretrained(task: string): boolean {
  return PRETRAINED[task] !== undefined;
}

/** A task as the page names it in messages: its title, or “your imported pairs” (never an id like 'custom'). */
export function taskTitle(task: string): string {
  if (isTaskName(task)) return `the task “${TASKS[task].title}”`;
  return task === 'custom' ? 'your imported pairs' : `the task “${task}”`;
}
