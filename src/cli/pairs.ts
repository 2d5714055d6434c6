// Reads a pair file (Tatoeba / Anki TSV) for the CLI, streamed in chunks so a 200 MB file is
// never one string; errors keep the parser's one-line message with its line number.

import { createReadStream, statSync } from 'node:fs';
import { pairFileSizeError, parsePairsStream } from '../data/pairs-file';
import type { Pair } from '../data/pair';
import { REAL_TASKS, type RealTaskName } from '../data/tasks/tatoeba';

/** The pair file of a real task, read from public/ in this checkout. */
export function realTaskPath(task: RealTaskName): string {
  return new URL(`../../public/${REAL_TASKS[task].file}`, import.meta.url).pathname;
}

export function readRealTaskPairs(task: RealTaskName, maxLen: number): Promise<Pair[]> {
  return readPairsFile(realTaskPath(task), maxLen);
}

export async function readPairsFile(path: string, maxLen: number): Promise<Pair[]> {
  let stat;
  try {
    stat = statSync(path);
  } catch (e) {
    throw new Error(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  if (!stat.isFile()) throw new Error('not a regular file');
  const tooBig = pairFileSizeError(stat.size);
  if (tooBig) throw new Error(tooBig);
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    const result = await parsePairsStream(stream as AsyncIterable<Uint8Array>, { maxSrcLength: maxLen, maxTgtLength: maxLen });
    if (result.pairs.length === 0) {
      const s = result.skipped;
      throw new Error(`no usable pair in ${result.lines} lines (${s.tooLong} longer than ${maxLen} tokens, ${s.emptySide} with an empty side, ${s.blank} blank)`);
    }
    return result.pairs;
  } finally {
    stream.destroy();
  }
}
