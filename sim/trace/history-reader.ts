// A Faultline trace's client history for `faultline check`, read with the same
// line-by-line reader `replay` and `view` use (`TraceReader`, reader.ts): every
// line is checked as they check it (header fields, event seq, type, time "t",
// each type's fields, the end line), with the same one-line InputError
// ("file: line N: what was expected"). A last line cut off mid-line ends the
// trace with a warning, as in `view`. Only invoke/return events are kept.
// Memory: O(longest line) plus the history.

import type { HistoryEvent, TraceEvent } from '../engine/types.ts';
import { traceOperation, type ParsedHistory, type TraceSummary } from '../check/linearizability/index.ts';
import { TraceReader } from './reader.ts';

export class TraceHistoryReader {
  private readonly history: HistoryEvent[] = [];
  private readonly lines: number[] = [];
  private readonly summary: TraceSummary = { violations: [], complete: false, events: 0, warnings: [] };
  private readonly reader: TraceReader;

  /** `file`: named in messages. */
  constructor(private readonly file: string | undefined) {
    this.reader = new TraceReader((ev) => this.event(ev), file !== undefined ? { file } : {});
  }

  /** One line without its "\n", in order; `terminated` is false for a last line with no "\n". Throws InputError. */
  line(text: string, terminated = true): void {
    this.reader.line(text, terminated);
  }

  private event(ev: TraceEvent): void {
    this.summary.events++;
    if (ev.type === 'violation') this.summary.violations.push({ checker: ev.invariant, message: ev.message });
    if (ev.type !== 'invoke' && ev.type !== 'return') return;
    this.history.push(traceOperation(ev, ev.type, this.file, `line ${this.reader.lines}`));
    this.lines.push(this.reader.lines);
  }

  /** After the last line: the history, its source lines, and what else the trace holds. Throws InputError for an empty file. */
  end(): ParsedHistory {
    const s = this.reader.end();
    const summary = this.summary;
    summary.scenario = s.header.scenario;
    summary.protocol = s.header.protocol;
    summary.seed = s.header.seed;
    summary.complete = s.footer !== undefined && s.footer.interrupted !== true;
    for (const w of s.warnings) {
      const cut = /^the trace is truncated: line (\d+) is cut off mid-line/.exec(w);
      if (cut) summary.cutLine = Number(cut[1]);
      else if (!w.startsWith('the trace is truncated:')) summary.warnings!.push(w);
    }
    return { history: this.history, lines: this.lines, trace: summary };
  }
}
