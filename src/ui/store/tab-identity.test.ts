import { describe, expect, it } from 'vitest';
import { claimRunId, RUN_ID_KEY, type ChannelLike, type KeyValueStorage, type LockLike } from './tab-identity';

class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
}

/** Web Locks shared by the "tabs" of one test: a held lock stays held (its callback never settles). */
class FakeLocks implements LockLike {
  readonly held = new Set<string>();
  async request(name: string, _o: { ifAvailable: true }, cb: (lock: unknown) => Promise<void> | void): Promise<unknown> {
    if (this.held.has(name)) return cb(null);
    this.held.add(name);
    return cb({ name });
  }
}

let n = 0;
const makeId = () => `id-${++n}`;

describe('claimRunId', () => {
  it('a new tab gets a fresh id and stores it', async () => {
    const storage = new MemoryStorage();
    const r = await claimRunId({ storage, locks: new FakeLocks(), makeId });
    expect(r.copiedFrom).toBeNull();
    expect(storage.getItem(RUN_ID_KEY)).toBe(r.runId);
  });

  it('a reload keeps the id when its lock is free', async () => {
    const storage = new MemoryStorage();
    storage.setItem(RUN_ID_KEY, 'mine');
    const r = await claimRunId({ storage, locks: new FakeLocks(), makeId });
    expect(r).toEqual({ runId: 'mine', copiedFrom: null });
  });

  it('a duplicated tab (same sessionStorage, lock held by the original) takes a new id and remembers the original', async () => {
    const locks = new FakeLocks();
    const first = new MemoryStorage();
    const a = await claimRunId({ storage: first, locks, makeId });
    const copy = new MemoryStorage();
    copy.setItem(RUN_ID_KEY, a.runId);
    const b = await claimRunId({ storage: copy, locks, makeId, retries: 1, retryMs: 1 });
    expect(b.runId).not.toBe(a.runId);
    expect(b.copiedFrom).toBe(a.runId);
    expect(copy.getItem(RUN_ID_KEY)).toBe(b.runId);
    expect(locks.held.size).toBe(2);
  });

  it('without Web Locks asks the other tabs over a channel', async () => {
    // Two channel ends wired to each other.
    const ends: ChannelLike[] = [];
    const mk = (i: number): ChannelLike => ({
      onmessage: null,
      postMessage(msg: unknown) {
        const other = ends[1 - i];
        setTimeout(() => other.onmessage?.({ data: msg } as MessageEvent), 0);
      },
      close() {},
    });
    ends.push(mk(0), mk(1));
    const s1 = new MemoryStorage();
    s1.setItem(RUN_ID_KEY, 'orig');
    const a = await claimRunId({ storage: s1, channel: ends[0], makeId });
    expect(a.runId).toBe('orig');
    const s2 = new MemoryStorage();
    s2.setItem(RUN_ID_KEY, 'orig');
    const b = await claimRunId({ storage: s2, channel: ends[1], makeId });
    expect(b.copiedFrom).toBe('orig');
    expect(b.runId).not.toBe('orig');
  });
});
