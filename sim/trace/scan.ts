// A field scanner for the kinds of trace line that hold most of a big trace's bytes, as the trace writer writes
// them (JSON.stringify of the event, keys in the engine's order): a published state's line
// (`{"seq":N,"t":T,"type":"state","node":"…","state":…}`, about 60% of a Raft trace's bytes), a send's
// (`{"seq":N,"t":T,"type":"send","id":I,"from":"…","to":"…","msg":{"type":"…",…}}`, about 28%), and the short
// lines of deliveries and timers (read whole). It reads the fields with anchored regular expressions and does
// not parse a state's or a message's body: for a reader that does not keep bodies (the viewer's loader past its
// keep limit: the columns need a state's seq, time and node, and a send's message type), `JSON.parse` of the
// body is most of the load's time and thrown away (Node, Raft 1M trace: the loader's CPU 3.6 s -> 1.9 s).
//
// A line the expressions do not match exactly (another event type, a node name with an escape or a control
// character, a number spelled as JSON does not allow, a message whose first key is not a plain "type" string)
// gives undefined: the caller parses it with JSON.parse. What the scanner returns equals JSON.parse's result
// in every field but the body (test/trace/scan.test.ts, on real traces and on hand-written unusual lines).
// The body's own syntax is not checked here: the footer hash, checked over every byte after the load, is
// what says a file was edited after the run (the body is decoded when shown).

import type { TraceEvent } from '../engine/types.ts';

/** A JSON number (the grammar of RFC 8259: no leading zeros, no "+", no bare "."); `Number` of it = JSON.parse of it. */
export const JSON_NUMBER = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';
/** A non-negative JSON integer. */
const JSON_UINT = '(?:0|[1-9]\\d*)';
/** A JSON string with no escapes and no control characters (every node name the engine writes), its text captured. */
const PLAIN_STRING = '"([^"\\\\\\u0000-\\u001f]*)"';

/** The start of every event line as the writer writes it: seq, time and type captured. */
const HEAD = new RegExp(`^\\{"seq":(${JSON_UINT}),"t":(${JSON_NUMBER}),"type":"([a-z]+)",`, 'y');
/** After the head of a state: up to and including `"state":` (the body follows, then the final "}"). */
const STATE_REST = new RegExp(`"node":${PLAIN_STRING},"state":`, 'y');
/** After the head of a send: up to and including `"msg":`. */
const SEND_REST = new RegExp(`"id":(${JSON_UINT}),"from":${PLAIN_STRING},"to":${PLAIN_STRING},"msg":`, 'y');
/** After the head of a delivery: the whole rest of the line. */
const DELIVER_REST = new RegExp(`"id":(${JSON_UINT}),"from":${PLAIN_STRING},"to":${PLAIN_STRING}\\}$`, 'y');
/** After the head of a timer: the whole rest of the line. */
const TIMER_REST = new RegExp(`"node":${PLAIN_STRING},"name":${PLAIN_STRING}\\}$`, 'y');
/** The start of a message body whose first key is its type, a plain string, followed by another key or the end. */
const MSG_TYPE = new RegExp(`\\{"type":${PLAIN_STRING}[,}]`, 'y');

/** The body a scanned event stands in for (not parsed): `state` of a scanned state. */
export const UNPARSED = Object.freeze({ unparsed: true });

/**
 * Where the body of the last state or send `scanEventHead` read starts in its line (the body ends before the
 * line's final "}"): a reader that keeps the body as written (the viewer's packed states, its search index)
 * takes it from there.
 */
export const lastScan = { bodyStart: -1 };

/** `re` matched at `at` in `line`, or null. */
function at(re: RegExp, line: string, from: number): RegExpExecArray | null {
  re.lastIndex = from;
  return re.exec(line);
}

/**
 * The event on `line` when the line is a state's, a send's, a delivery's or a timer's as the trace writer writes
 * it (see the file comment), else undefined (parse the line). A scanned state has `state: UNPARSED` (its body not
 * parsed); a scanned send has `msg: { type }` (the message's type only); a delivery and a timer are read whole.
 */
export function scanEventHead(line: string): TraceEvent | undefined {
  if (line.charCodeAt(line.length - 1) !== 125 /* } */) return undefined;
  const h = at(HEAD, line, 0);
  if (!h) return undefined;
  const rest = HEAD.lastIndex;
  const seq = Number(h[1]);
  const t = Number(h[2]);
  switch (h[3]) {
    case 'state': {
      const m = at(STATE_REST, line, rest);
      // An empty body ("state":}) is not JSON: parsed, so that it is reported.
      if (!m || STATE_REST.lastIndex >= line.length - 1) return undefined;
      lastScan.bodyStart = STATE_REST.lastIndex;
      return { seq, t, type: 'state', node: m[1] as string, state: UNPARSED as never };
    }
    case 'send': {
      const m = at(SEND_REST, line, rest);
      if (!m) return undefined;
      const mt = at(MSG_TYPE, line, SEND_REST.lastIndex);
      // The "}" after the type must be the body's, not the line's final one.
      if (!mt || MSG_TYPE.lastIndex > line.length - 1) return undefined;
      lastScan.bodyStart = SEND_REST.lastIndex;
      return { seq, t, type: 'send', id: Number(m[1]), from: m[2] as string, to: m[3] as string, msg: { type: mt[1] as string } };
    }
    case 'deliver': {
      const m = at(DELIVER_REST, line, rest);
      return m ? { seq, t, type: 'deliver', id: Number(m[1]), from: m[2] as string, to: m[3] as string } : undefined;
    }
    case 'timer': {
      const m = at(TIMER_REST, line, rest);
      return m ? { seq, t, type: 'timer', node: m[1] as string, name: m[2] as string } : undefined;
    }
    default:
      return undefined;
  }
}
