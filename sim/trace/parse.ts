// Reading a whole trace text (JSON Lines: header, events, footer) back into
// data, for the viewer's tests and small traces. Pure: it takes the text, so
// Node and the browser share it. The line-by-line checks live in reader.ts
// (`TraceReader`), which is what reads files of any size; this is that reader
// over one string, collecting the events. Problems name the file and the line:
// a malformed line is an InputError; a trace cut short (no footer, a
// half-written last line) still loads, with a warning saying where it stops.

import type { TraceEvent, TraceFooter, TraceHeader } from '../engine/types.ts';
import { hashText } from '../engine/trace.ts';
import { isFooter, TraceReader } from './reader.ts';

export { EVENT_TYPES } from './reader.ts';

export interface ParsedTrace {
  header: TraceHeader;
  events: TraceEvent[];
  /** Undefined when the trace is truncated. */
  footer: TraceFooter | undefined;
  /** Things the user should know that do not stop the trace from loading (truncation, count or hash mismatch). */
  warnings: string[];
  /** 'ok' when the footer's hash matches the bytes before it; 'mismatch'; 'unchecked' (no footer or not asked). */
  hash: 'ok' | 'mismatch' | 'unchecked';
}

export interface ParseOptions {
  /** Shown in messages ("trace.jsonl: line 12: ..."). */
  file?: string;
  /** Recompute SHA-256 of the bytes before the footer and compare with the footer's hash. */
  verifyHash?: boolean;
}

/**
 * Parse a whole trace. Throws InputError (file, line, what was expected) for
 * anything malformed; a truncated trace loads with a warning.
 */
export function parseTrace(text: string, opts: ParseOptions = {}): ParsedTrace {
  const events: TraceEvent[] = [];
  const reader = new TraceReader((ev) => events.push(ev), opts);
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) {
      reader.line(text.slice(pos), false);
      break;
    }
    reader.line(text.slice(pos, nl), true);
    pos = nl + 1;
  }
  const s = reader.end();
  return { header: s.header, events, footer: s.footer, warnings: s.warnings, hash: s.hash };
}

/**
 * Check a whole trace text against its footer's hash, on its own (the viewer
 * draws first and verifies after). 'unchecked' when the last line is no footer.
 */
export function verifyTraceHash(text: string): ParsedTrace['hash'] {
  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  const start = text.lastIndexOf('\n', end - 1) + 1;
  let footer: unknown;
  try {
    footer = JSON.parse(text.slice(start, end));
  } catch {
    return 'unchecked';
  }
  if (!isFooter(footer)) return 'unchecked';
  return hashText(text.slice(0, start)) === footer.hash ? 'ok' : 'mismatch';
}
