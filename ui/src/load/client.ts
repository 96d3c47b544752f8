// The page's side of the loader worker: open a trace (progress, then the
// model), then ask it for details, causal past, search and the export.

import type { TraceSource } from '../store.ts';
import type { TraceEvent } from '../../../sim/engine/types.ts';
import type { OperationRec, StateSnapshot } from '../../../sim/trace/model.ts';
import { unpackStatesStepwise } from '../../../sim/trace/packed-states.ts';
import { adoptLaneIndex } from '../../../sim/trace/columns.ts';
import type { LaneBand } from '../panels/panel.ts';
import type { FromLoader, LoadSource, ToLoader } from './protocol.ts';
import { sliced, timed, yieldToPage } from '../perf.ts';

export type ModelMessage = Extract<FromLoader, { kind: 'model' }>;
export type PartialMessage = Extract<FromLoader, { kind: 'partial' }>;

export class Loader implements TraceSource {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, (m: Extract<FromLoader, { kind: 'reply' }>) => void>();
  private readonly partial = new Map<number, (seqs: Int32Array, searched: number) => void>();
  onVerified: ((hash: 'ok' | 'mismatch' | 'unchecked') => void) | undefined;
  /** The worker's search index is complete (big traces only). */
  onIndexed: ((events: number, ms: number) => void) | undefined;
  /** The search index's trigram filters are all built (the last after the first paint; `ms` building them). */
  onFiltered: ((ms: number) => void) | undefined;
  /** A big trace's lane bands, computed by the worker after the first paint. */
  onBands: ((bands: LaneBand[]) => void) | undefined;

  constructor() {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  }

  /**
   * Load a trace: resolves with the model, rejects with {title, message} when it cannot be shown. `onPartial`:
   * the events loaded so far, while it loads (see the `partial` message).
   */
  open(source: LoadSource, keepLimit: number, onProgress: (bytes: number, total: number | undefined, events: number) => void, onPartial?: (m: PartialMessage) => void): Promise<ModelMessage> {
    const states = new Map<string, StateSnapshot[]>();
    const operations: OperationRec[] = [];
    return new Promise((resolve, reject) => {
      // A worker whose script cannot be fetched fails with no message (the page reloads then: the viewer was rebuilt).
      this.worker.onerror = (e) => reject({ title: 'The trace loader failed:', message: e.message ?? '' });
      this.worker.onmessage = (e: MessageEvent<FromLoader>) => {
        const m = e.data;
        if (m.kind === 'progress') onProgress(m.bytes, m.total, m.events);
        else if (m.kind === 'partial') {
          if (m.laneIndex) adoptLaneIndex(m.model, m.laneIndex);
          onPartial?.(m);
        }
        else if (m.kind === 'states') {
          const list = states.get(m.node);
          if (list) for (const snap of m.snaps) list.push(snap);
          else states.set(m.node, m.snaps);
        } else if (m.kind === 'operations') {
          for (const op of m.ops) operations.push(op);
        } else if (m.kind === 'model') {
          const arrivedAt = performance.timeOrigin + performance.now();
          // Receiving the message (its deserialization) is one task; unpacking the states (an object a snapshot) another.
          // Unpacking a big trace's states (an object a snapshot: 180k at Raft 1M, 100-200 ms in one task) in slices
          // of a few ms each, the page live between them (issue 15).
          const packed = m.packed ? unpackStatesStepwise(m.packed) : undefined;
          void yieldToPage()
            .then(() => (packed ? sliced(m.packed!.seq.length, (from, to) => timed('unpack-states', () => packed.next(to - from)), () => false) : true))
            .then(() => {
              const model = { ...m.model, operations: operations.length > 0 ? operations : m.model.operations, states: packed ? packed.states : states };
              // The lane index the worker built (a big trace's): the density drawing does not build it here.
              if (m.laneIndex) adoptLaneIndex(model, m.laneIndex);
              resolve({ ...m, timings: { ...m.timings, arrivedAt }, model });
            });
        }
        else if (m.kind === 'error') reject(m);
        else if (m.kind === 'verified') this.onVerified?.(m.hash);
        else if (m.kind === 'indexed') this.onIndexed?.(m.events, m.ms);
        else if (m.kind === 'filtered') this.onFiltered?.(m.ms);
        else if (m.kind === 'bands') this.onBands?.(m.bands);
        else if (m.kind === 'searchHits') this.partial.get(m.id)?.(m.seqs, m.searched);
        else this.waiting.get(m.id)?.(m);
      };
      this.post({ kind: 'open', source, keepLimit });
    });
  }

  private post(msg: ToLoader): void {
    this.worker.postMessage(msg);
  }

  private ask(msg: ToLoader & { id: number }): Promise<Extract<FromLoader, { kind: 'reply' }>> {
    return new Promise((resolve, reject) => {
      this.waiting.set(msg.id, (m) => {
        this.waiting.delete(msg.id);
        if (m.error !== undefined) reject(new Error(m.error));
        else resolve(m);
      });
      this.post(msg);
    });
  }

  /** The page has drawn the complete model: the loader's background work (hash check, lane bands, search filters) may start. */
  drawn(): void {
    this.post({ kind: 'drawn' });
  }

  async events(from: number, to: number): Promise<TraceEvent[]> {
    return (await this.ask({ kind: 'events', id: this.nextId++, from, to })).events ?? [];
  }

  async causal(seq: number): Promise<Uint8Array> {
    return (await this.ask({ kind: 'causal', id: this.nextId++, seq })).marks ?? new Uint8Array(0);
  }

  /**
   * Marks of the events matching `query`; `scan` ignores the search index (for the benchmark's baseline).
   * `onHits`: the matches as they are found (the events `near` first), before the promise resolves.
   */
  async search(query: string, scan = false, onHits?: (seqs: Int32Array, searched: number) => void, near?: [number, number]): Promise<Uint8Array> {
    const id = this.nextId++;
    if (onHits) this.partial.set(id, onHits);
    try {
      return (await this.ask({ kind: 'search', id, query, scan, ...(near ? { near } : {}), stream: onHits !== undefined })).marks ?? new Uint8Array(0);
    } finally {
      this.partial.delete(id);
    }
  }

  async exportChrome(): Promise<Blob> {
    const r = await this.ask({ kind: 'export', id: this.nextId++ });
    if (!r.blob) throw new Error('no export');
    return r.blob;
  }

  terminate(): void {
    this.worker.terminate();
  }
}
