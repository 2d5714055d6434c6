// The page's end of the worker protocol: commands out, events in, and the three requests that
// expect an answer (translate, save, load) matched to their reply by id.

import type { RunConfig } from '../train/config';
import { transferables, type FromWorker, type Pair, type StepProfile, type ToWorker, type Translation } from '../train/protocol';

/** What the client needs of a Worker (a test double implements the same). */
export interface WorkerLike {
  postMessage(message: ToWorker, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent<FromWorker>) => void): void;
  addEventListener(type: 'error', listener: (ev: ErrorEvent) => void): void;
  terminate(): void;
}

export function spawnTrainingWorker(): WorkerLike {
  return new Worker(new URL('../train/worker.ts', import.meta.url), { type: 'module', name: 'trainer' }) as WorkerLike;
}

/** The request id a reply answers, if it is a reply. */
export function replyId(msg: FromWorker): number | undefined {
  switch (msg.type) {
    case 'translation':
      return msg.translation.id;
    case 'checkpoint':
    case 'loaded':
    case 'profile':
    case 'error':
      return msg.id;
    default:
      return undefined;
  }
}

interface Waiter {
  resolve(ev: FromWorker): void;
  reject(e: Error): void;
}

export class WorkerClient {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();

  constructor(
    private readonly worker: WorkerLike,
    onEvent: (ev: FromWorker) => void,
    onCrash: (message: string) => void,
  ) {
    worker.addEventListener('message', (ev) => {
      const msg = ev.data;
      const id = replyId(msg);
      const w = id !== undefined ? this.waiting.get(id) : undefined;
      if (w && id !== undefined) {
        this.waiting.delete(id);
        if (msg.type === 'error') w.reject(new Error(msg.message));
        else w.resolve(msg);
      }
      // Answered requests are still events: 'loaded' and 'model' update the stores too.
      if (!(w && msg.type === 'error')) onEvent(msg);
    });
    worker.addEventListener('error', (ev) => {
      const message = ev.message || 'the training worker could not start';
      for (const w of this.waiting.values()) w.reject(new Error(message));
      this.waiting.clear();
      onCrash(message);
    });
  }

  send(cmd: ToWorker): void {
    this.worker.postMessage(cmd, transferables(cmd));
  }

  private request(make: (id: number) => ToWorker): Promise<FromWorker> {
    const id = this.nextId++;
    return new Promise<FromWorker>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.send(make(id));
    });
  }

  async translate(text: string, beam: number, model: 'current' | 'pretrained'): Promise<Translation> {
    const r = await this.request((id) => ({ type: 'translate', id, text, beam, model }));
    if (r.type !== 'translation') throw new Error(`unexpected reply '${r.type}' to translate`);
    return r.translation;
  }

  /** The worker's checkpoint of the current model (weights, optimizer state, step). */
  async save(): Promise<Uint8Array> {
    return (await this.checkpoint()).bytes;
  }

  /** The worker's checkpoint and the step it holds (the worker answers at a step boundary, a few steps after the request). */
  async checkpoint(): Promise<{ bytes: Uint8Array; step: number }> {
    const r = await this.request((id) => ({ type: 'save', id }));
    if (r.type !== 'checkpoint') throw new Error(`unexpected reply '${r.type}' to save`);
    return { bytes: r.bytes, step: r.step };
  }

  /** Loads a checkpoint; resolves with its step. The bytes are transferred (the caller's copy is emptied). */
  async load(bytes: Uint8Array): Promise<number> {
    return (await this.loadWithConfig(bytes)).step;
  }

  /** Loads a checkpoint; resolves with its step and the run config stored in it. */
  async loadWithConfig(bytes: Uint8Array, pairs?: Pair[]): Promise<{ step: number; config: RunConfig }> {
    const r = await this.request((id) => ({ type: 'load', id, bytes, pairs }));
    if (r.type !== 'loaded') throw new Error(`unexpected reply '${r.type}' to load`);
    return { step: r.step, config: r.config };
  }

  /** Per-kernel GPU times of the next training step (one step is taken when the run is paused). */
  async profile(): Promise<StepProfile> {
    const r = await this.request((id) => ({ type: 'profile', id }));
    if (r.type !== 'profile') throw new Error(`unexpected reply '${r.type}' to profile`);
    return r.profile;
  }

  terminate(): void {
    this.worker.terminate();
  }
}
