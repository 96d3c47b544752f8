// Messages between the page and the trace loader worker (worker.ts).

import type { TraceEvent, TraceFooter } from '../../../sim/engine/types.ts';
import type { ColumnarModel, LaneIndex } from '../../../sim/trace/columns.ts';
import type { OperationRec, StateSnapshot } from '../../../sim/trace/model.ts';
import type { PackedStates } from '../../../sim/trace/packed-states.ts';
import type { LaneBand } from '../panels/panel.ts';

/** What to load: a Blob (a picked or dropped file, a live run's trace) or a URL to stream. */
export type LoadSource = { kind: 'blob'; blob: Blob; name: string } | { kind: 'url'; url: string; name: string };

export type ToLoader =
  | { kind: 'open'; source: LoadSource; keepLimit: number }
  | { kind: 'events'; id: number; from: number; to: number }
  | { kind: 'causal'; id: number; seq: number }
  /**
   * `scan`: ignore the search index and parse every line (the benchmark's baseline). `near`: events [from, to]
   * searched first (the visible ones); `stream`: send the matches as they are found (`searchHits`) before the reply.
   */
  | { kind: 'search'; id: number; query: string; scan?: boolean; near?: [number, number]; stream?: boolean }
  | { kind: 'export'; id: number }
  /**
   * The page has drawn the complete model: the work that waits for it (the hash check, the lane bands' worker, the
   * last chunk's trigram filters) starts, so that it does not take the cores while the page receives and draws the model.
   */
  | { kind: 'drawn' };

export interface LoadTimings {
  /** Reading, parsing and building the columns (ms, in the worker). */
  parseMs: number;
  bytes: number;
  /** When the loader had read and parsed the last byte (ms from the start of the load); the rest of parseMs waits for the indexer. */
  streamedMs: number;
  /** The indexer's time on the lines (ms, in parallel with the loader's parse), and on gathering a fetched stream into a Blob. */
  indexerMs: number;
  gatherMs: number;
  /** When the loader started the load and when it posted the model (ms since the epoch, `timeOrigin + now()`: comparable across the page and its workers). */
  openedAt: number;
  postedAt: number;
  /** When the page received the model (set by the page's side, load/client.ts). */
  arrivedAt?: number;
}

export type FromLoader =
  | { kind: 'progress'; bytes: number; total: number | undefined; events: number }
  /**
   * The events parsed so far (columns transferred; no published states; `model.loadedT` set), for drawing while
   * the rest loads: the first soon after the first chunk, then at most one a second. `runEndKnown`: `model.endT`
   * is the run's end (read from the trace's end line first), else the last event's time (the axis grows).
   */
  | { kind: 'partial'; model: ColumnarModel; laneIndex?: LaneIndex; bytes: number; total: number | undefined; runEndKnown: boolean }
  /** Published states of one node, in seq order, a few thousand at a time, before the `model` message (whose `states` is empty): each message is decoded by the page as one task. */
  | { kind: 'states'; node: string; snaps: StateSnapshot[] }
  /** The model's client operations, in order, a few thousand at a time, before the `model` message (whose `operations` is empty). */
  | { kind: 'operations'; ops: OperationRec[] }
  /**
   * The model (its typed arrays transferred). A trace kept whole in the page (`events`) had its states in `states`
   * messages; a big one has them in `packed` (decoded by the page when read); `bandsLater`: its protocol's lane
   * bands (which read every state) follow in a `bands` message, computed by the worker after the first paint.
   */
  | { kind: 'model'; model: ColumnarModel; laneIndex?: LaneIndex; packed?: PackedStates; bandsLater?: boolean; warnings: string[]; footer: TraceFooter | undefined; events: TraceEvent[] | undefined; timings: LoadTimings }
  | { kind: 'bands'; bands: LaneBand[] }
  /** Matches found since the last report of search `id` (seqs), and how many events it has searched so far. */
  | { kind: 'searchHits'; id: number; seqs: Int32Array; searched: number }
  | { kind: 'error'; title: string; message: string }
  | { kind: 'verified'; hash: 'ok' | 'mismatch' | 'unchecked' }
  /** The search index is complete (`events` indexed; built while parsing, `ms` of it spent indexing the events kept before the trace outgrew keepLimit). */
  | { kind: 'indexed'; events: number; ms: number }
  /** The search index's trigram filters are all built (most while the trace loads, the last chunk's after the first paint; `ms` building them): searches skip more. */
  | { kind: 'filtered'; ms: number }
  | { kind: 'reply'; id: number; events?: TraceEvent[]; marks?: Uint8Array; blob?: Blob; error?: string };

/** From the loader to the indexer worker (indexer.ts): the trace's bytes as the loader reads them, then its end. */
export type ToIndexer =
  /** `blob`: the trace when it is one already (else the indexer gathers the chunks into one). */
  | { kind: 'start'; blob: Blob | undefined }
  | { kind: 'chunk'; bytes: Uint8Array }
  /** The end of the bytes; `count`: the events the loader accepted (a truncated last line is not one). */
  | { kind: 'end'; count: number }
  /** The page has drawn the complete model: build the trigram filters of the pieces still without one (the last chunk's). */
  | { kind: 'filters' }
  | Extract<ToLoader, { kind: 'search' }>;

export type FromIndexer =
  /** The index is built: the trace as a Blob, events indexed, ms spent indexing. */
  | { kind: 'done'; blob: Blob; indexed: number; ms: number; gatherMs: number }
  | Extract<FromLoader, { kind: 'searchHits' | 'reply' | 'filtered' }>;
