// Download the trace in Chrome trace event format (Perfetto, chrome://tracing).

import { toChromeTrace } from '../../sim/trace/chrome.ts';
import type { TraceModel } from '../../sim/trace/model.ts';

export function exportChrome(model: TraceModel): void {
  const json = JSON.stringify(toChromeTrace(model));
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const a = document.createElement('a');
  const h = model.header;
  a.href = url;
  a.download = `${h.scenario}-seed${h.seed}.chrome-trace.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
