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
      {
        // The trigram filters of the pieces this chunk finished, now: this worker has time to spare while the loader
        // parses (its lines take about half the loader's time), and a search issued right after the load then
        // skips the pieces that cannot hold the query (after the first paint, it ran while they were built: 2 s at
        // Raft 1M, against 30 ms with them).
        const t = performance.now();
        while (builder.index.buildFilter());
        filterMs += performance.now() - t;
      }
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
