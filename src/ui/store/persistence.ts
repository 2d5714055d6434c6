// IndexedDB (through idb): one record per tab's run id in 'runs', and the kept runs in 'compared'.
// Each tab writes only its own run id's record, so two tabs never overwrite each other's run.

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { SavedRun } from './run-file';
import type { ComparedRun } from './compare-store';

interface PlaygroundDb extends DBSchema {
  runs: { key: string; value: SavedRun };
  compared: { key: string; value: ComparedRun };
}

const DB_NAME = 'attention-playground';
let dbPromise: Promise<IDBPDatabase<PlaygroundDb>> | null = null;

function db(): Promise<IDBPDatabase<PlaygroundDb>> {
  dbPromise ??= openDB<PlaygroundDb>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore('runs', { keyPath: 'runId' });
      d.createObjectStore('compared', { keyPath: 'id' });
    },
  });
  return dbPromise;
}

export function available(): boolean {
  return typeof indexedDB !== 'undefined';
}

export async function saveRun(run: SavedRun): Promise<void> {
  await (await db()).put('runs', run);
}

export async function loadRun(runId: string): Promise<SavedRun | undefined> {
  return (await db()).get('runs', runId);
}

export async function deleteRun(runId: string): Promise<void> {
  await (await db()).delete('runs', runId);
}

export async function saveCompared(run: ComparedRun): Promise<void> {
  await (await db()).put('compared', run);
}

export async function deleteCompared(id: string): Promise<void> {
  await (await db()).delete('compared', id);
}

export async function loadCompared(): Promise<ComparedRun[]> {
  return (await db()).getAll('compared');
}
