// One run id per tab. The id lives in sessionStorage, so a reload keeps it; but a duplicated tab
// copies sessionStorage too, so the id is also held as a Web Lock for the page's lifetime: a tab
// that finds its id's lock taken is a copy and takes a fresh id (remembering the one it came
// from, to start from a copy of that run). Without Web Locks a BroadcastChannel asks the other
// tabs whether one of them owns the id.

export const RUN_ID_KEY = 'attention-playground.runId';
const LOCK_PREFIX = 'attention-playground.run.';
const CHANNEL = 'attention-playground.tabs';

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The subset of navigator.locks used here. */
export interface LockLike {
  request(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown>;
}

/** The subset of BroadcastChannel used here. */
export interface ChannelLike {
  postMessage(msg: unknown): void;
  onmessage: ((ev: MessageEvent) => void) | null;
  close(): void;
}

export interface TabRun {
  runId: string;
  /** Set when this tab is a copy of a tab that still runs: the id of the run it was copied from. */
  copiedFrom: string | null;
}

export function newRunId(): string {
  const rnd = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `run-${rnd}`;
}

/** Tries to take the lock on `id` and hold it until the page goes; false when another tab holds it. */
async function holdLock(locks: LockLike, id: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    void locks.request(LOCK_PREFIX + id, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(false);
        return;
      }
      resolve(true);
      return new Promise<void>(() => {}); // held for the page's lifetime
    });
  });
}

/** Asks the other tabs over a BroadcastChannel whether one owns `id`; keeps answering for ours. */
function channelOwner(channel: ChannelLike, getOwn: () => string, id: string, waitMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let taken = false;
    channel.onmessage = (ev: MessageEvent) => {
      const m = ev.data as { type: string; id: string };
      if (m?.type === 'who-owns' && m.id === getOwn()) channel.postMessage({ type: 'owned', id: m.id });
      if (m?.type === 'owned' && m.id === id) taken = true;
    };
    channel.postMessage({ type: 'who-owns', id });
    setTimeout(() => resolve(taken), waitMs);
  });
}

export interface ClaimOptions {
  storage: KeyValueStorage;
  locks?: LockLike;
  channel?: ChannelLike;
  makeId?: () => string;
  /** A reloading tab's own old document may still hold the lock for a moment: retry this often. */
  retries?: number;
  retryMs?: number;
}

export async function claimRunId(o: ClaimOptions): Promise<TabRun> {
  const makeId = o.makeId ?? newRunId;
  const stored = o.storage.getItem(RUN_ID_KEY);
  let own = stored ?? makeId();
  let copiedFrom: string | null = null;
  if (o.locks) {
    let ok = await holdLock(o.locks, own);
    for (let i = 0; !ok && stored && i < (o.retries ?? 3); i++) {
      await new Promise((r) => setTimeout(r, o.retryMs ?? 150));
      ok = await holdLock(o.locks, own);
    }
    if (!ok) {
      copiedFrom = own;
      own = makeId();
      await holdLock(o.locks, own);
    }
  } else if (o.channel) {
    const current = own;
    if (stored && (await channelOwner(o.channel, () => own, current, 200))) {
      copiedFrom = current;
      own = makeId();
    }
  }
  o.storage.setItem(RUN_ID_KEY, own);
  return { runId: own, copiedFrom };
}

/** Defaults from the browser. */
export function claimTabRun(): Promise<TabRun> {
  const locks = typeof navigator !== 'undefined' && navigator.locks ? (navigator.locks as unknown as LockLike) : undefined;
  const channel = !locks && typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(CHANNEL) : undefined;
  return claimRunId({ storage: sessionStorage, locks, channel });
}
