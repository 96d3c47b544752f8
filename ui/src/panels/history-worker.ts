// The history panel's linearizability check (sim/trace/history.ts over sim/check), in a worker of its own: a check
// can take seconds of search on a big history, and the page's main thread never blocks for more than a frame
// (issue 15); the checker and its model parsers are then not part of the page's first script either.
// Message in: the trace's operations (OperationRec[]). Message out: { analysis: HistoryAnalysis } or { error: string }.

import { analyzeHistory, type HistoryAnalysis } from '../../../sim/trace/history.ts';
import type { OperationRec } from '../../../sim/trace/model.ts';

/** The worker's answer to one check. */
export type HistoryReply = { analysis: HistoryAnalysis } | { error: string };

self.onmessage = (e: MessageEvent<OperationRec[]>) => {
  let reply: HistoryReply;
  try {
    reply = { analysis: analyzeHistory(e.data) };
  } catch (err) {
    reply = { error: err instanceof Error ? err.message : String(err) };
  }
  (self as unknown as Worker).postMessage(reply);
};
