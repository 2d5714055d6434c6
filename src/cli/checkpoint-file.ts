// Reads a checkpoint file for the CLI, its size checked (stat) before a byte is read.

import { readFileSync, statSync } from 'node:fs';
import { checkpointSizeError } from '../train/file-limits';

const reason = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** The file's bytes; a missing, unreadable or oversized file throws an Error with a one-line message. */
export function readCheckpointFile(path: string): Uint8Array {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new Error(`cannot read ${path} (${reason(e)})`, { cause: e });
  }
  const tooBig = checkpointSizeError(size);
  if (tooBig) throw new Error(`${path}: ${tooBig}`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read ${path} (${reason(e)})`, { cause: e });
  }
}
