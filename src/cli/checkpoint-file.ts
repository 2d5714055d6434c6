// Reads a checkpoint file for the CLI, its size checked (stat) before a byte is read, and opens it
// on the chosen backend (translate and evaluate).

import { readFileSync, statSync } from 'node:fs';
import { setDefaultBackend, type Backend } from '../engine';
import { loadCheckpoint } from '../train/checkpoint';
import { checkpointSizeError } from '../train/file-limits';
import type { Trainer } from '../train/trainer';
import { chooseBackend, fail, type BackendChoice } from './backend-choice';

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

/** `--checkpoint FILE` on the chosen backend: a bad file or option ends the command (exit 2). */
export async function openCheckpoint(path: string, choice: BackendChoice): Promise<{ backend: Backend; trainer: Trainer }> {
  let bytes: Uint8Array;
  try {
    bytes = readCheckpointFile(path);
  } catch (e) {
    fail(`--checkpoint: ${(e as Error).message}`);
  }
  const { backend } = await chooseBackend(choice);
  setDefaultBackend(backend);
  try {
    return { backend, trainer: loadCheckpoint(bytes, backend).trainer };
  } catch (e) {
    fail(`--checkpoint ${path}: ${(e as Error).message}`);
  }
}
