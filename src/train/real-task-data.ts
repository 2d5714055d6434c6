// The pairs of a real task in the page: fetched from the site (public/data) the first time the
// task is chosen, streamed through the pair-file parser, and kept for the rest of the session.

import { parsePairsStream, readableStreamChunks } from '../data/pairs-file';
import type { Pair } from '../data/pair';
import { REAL_TASKS, type RealTaskName } from '../data/tasks/tatoeba';

const cache = new Map<RealTaskName, Promise<Pair[]>>();

export function fetchRealTaskPairs(task: RealTaskName, baseUrl: string, maxLen: number): Promise<Pair[]> {
  let p = cache.get(task);
  if (!p) {
    const spec = REAL_TASKS[task];
    p = (async () => {
      const res = await fetch(new URL(spec.file, baseUrl));
      if (!res.ok || !res.body) throw new Error(`could not load the sentence pairs of ${spec.title} (HTTP ${res.status})`);
      const parsed = await parsePairsStream(readableStreamChunks(res.body), { maxSrcLength: maxLen, maxTgtLength: maxLen });
      return parsed.pairs;
    })();
    p.catch(() => cache.delete(task));
    cache.set(task, p);
  }
  return p;
}
