// The indexer: a Web Worker started by the loader (worker.ts) for each trace and fed the same bytes as the loader
// parses them (each chunk transferred once the loader has split it), so that the two share the load across two
// cores: the loader parses and checks every line and builds the columns; the indexer builds what only a big trace
// needs (the search index: index-builder.ts; the loader packs the published states) and gathers a fetched stream into a
// Blob. Once done, it answers the page's searches (search.ts), relayed by the loader.

import { BlobGatherer, IndexBuilder } from './index-builder.ts';
import type { FromIndexer, ToIndexer } from './protocol.ts';
import { search, searches, yieldToTasks, type Searchable } from './search.ts';

function post(msg: FromIndexer, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(msg, transfer);
}

let gather: BlobGatherer | undefined;
/** Time spent gathering a fetched stream into a Blob (ms). */
let gatherMs = 0;
/** Time spent building the index's trigram filters (ms). */
let filterMs = 0;
/** A filter-building task is queued (see `filterWhenIdle`). */
let filtering = false;

/**
 * Build the trigram filters of the finished pieces of the index while the trace still loads, one piece per task
 * queued behind the chunks already waiting: the lines come first (when this worker falls behind the loader, the
 * pieces wait), the filters fill its idle time (its lines take about half the loader's time in the page). A search
 * issued right after the load then skips the pieces that cannot hold the query: built after the first paint, they
 * were not there yet (`deliver #7` right after the Raft 1M load took 2.1 s, 0.03 s with them).
 */
function filterWhenIdle(): void {
  if (filtering) return;
  filtering = true;
  const step = (): void => {
    const t = performance.now();
    const more = builder.index.buildFilter();
    filterMs += performance.now() - t;
    if (more) setTimeout(step, 0);
    else filtering = false;
  };
  setTimeout(step, 0);
}
let blob: Blob | undefined;
// The loader worker packs the published states (it reads each state's line anyway).
const builder = new IndexBuilder(undefined, false);
let loaded: Searchable | undefined;

self.onmessage = async (e: MessageEvent<ToIndexer>) => {
  const msg = e.data;
  switch (msg.kind) {
    case 'start':
      blob = msg.blob;
      if (!blob) gather = new BlobGatherer();
      break;
    case 'chunk':
      if (gather) {
        const t = performance.now();
        gather.add(msg.bytes);
        gatherMs += performance.now() - t;
      }
      builder.push(msg.bytes);
      filterWhenIdle();
      break;
    case 'end': {
      builder.end(msg.count);
      if (!blob) {
        const t = performance.now();
        blob = gather!.blob();
        gatherMs += performance.now() - t;
      }
      gather = undefined;
      loaded = { blob, lineStart: builder.lineStart, count: msg.count, index: builder.index, stateBySeq: builder.stateBySeq };
      post({ kind: 'done', blob, indexed: Math.min(builder.index.indexed, msg.count), ms: builder.ms, gatherMs });
      break;
    }
    case 'filters': {
      // Once the page has drawn the model: the trigram filters of the pieces still without one (the last chunk's; the
      // rest were built while the bytes came), a piece at a time (a search asked meanwhile goes in between).
      let ms = filterMs;
      for (;;) {
        const t1 = performance.now();
        const more = builder.index.buildFilter();
        ms += performance.now() - t1;
        if (!more) break;
        await yieldToTasks();
      }
      if (builder.index.chunkCount > 0) post({ kind: 'filtered', ms });
      break;
    }
    case 'search': {
      const l = loaded;
      if (!l) {
        post({ kind: 'reply', id: msg.id, error: 'no trace loaded' });
        break;
      }
      const gen = ++searches.gen;
      try {
        const marks = await search(l, msg.query, gen, msg.scan === true, msg.near, msg.stream === true ? msg.id : undefined);
        if (marks) post({ kind: 'reply', id: msg.id, marks }, [marks.buffer]);
        else post({ kind: 'reply', id: msg.id, error: 'superseded' });
      } catch (err) {
        post({ kind: 'reply', id: msg.id, error: String(err) });
      }
      break;
    }
  }
};
