// The run's end time from the tail of a trace file, so a viewer can draw the
// whole run's time axis before it has read the rest (progressive drawing).

/** Bytes of a trace's tail read to find its end line (an end line is a few hundred bytes; its stats grow little). */
export const TAIL_BYTES = 64 * 1024;

/**
 * The `t` (µs) of the trace's end line (`{"type":"end","t":…}`, the footer the trace writer
 * writes last) found in `tail`, the last bytes of the file decoded as text; `startsAtFileStart`:
 * the tail is the whole file (else its first, probably cut, line is ignored). Undefined when the
 * tail has no complete end line (a truncated trace, a run still being written): the caller then
 * grows its axis as events arrive. Only the last non-empty line is considered: an end line
 * anywhere else is not the trace's end.
 */
export function endTimeOfTail(tail: string, startsAtFileStart = false): number | undefined {
  let stop = tail.length;
  while (stop > 0 && (tail.charCodeAt(stop - 1) === 10 || tail.charCodeAt(stop - 1) === 13)) stop--;
  const nl = tail.lastIndexOf('\n', stop - 1);
  if (nl < 0 && !startsAtFileStart) return undefined;
  const line = tail.slice(nl + 1, stop);
  if (!line.startsWith('{')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as { type?: unknown; t?: unknown };
  return o.type === 'end' && typeof o.t === 'number' && Number.isFinite(o.t) && o.t >= 0 ? o.t : undefined;
}
