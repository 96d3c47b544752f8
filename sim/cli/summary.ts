// Human-readable run summaries.

import { formatDuration } from '../engine/time.ts';
import type { RunStats, Violation, Warning } from '../engine/types.ts';

export function formatStats(s: RunStats): string[] {
  const m = s.messages;
  const drops = Object.entries(m.droppedBy)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const o = s.operations;
  return [
    `events      ${s.events} (${s.steps} steps), virtual time ${formatDuration(s.endTime)}`,
    `messages    sent ${m.sent}, delivered ${m.delivered}, dropped ${m.dropped}${drops ? ` (${drops})` : ''}, duplicated ${m.duplicated}, retransmitted ${m.retransmitted}, in flight ${m.inFlight}`,
    `faults      ${s.faults}, timers fired ${s.timers}`,
    `operations  invoked ${o.invoked}: ok ${o.ok}, fail ${o.fail}, info ${o.info}, pending ${o.pending}`,
  ];
}

export function formatViolations(vs: readonly Violation[]): string[] {
  if (vs.length === 0) return ['violations  none'];
  return vs.map((v, i) => `${i === 0 ? 'violations  ' : '            '}${v.invariant} at ${formatDuration(v.t)} (event #${v.seq}, caused by #${v.cause}): ${v.message}`);
}

export function formatWarnings(ws: readonly Warning[]): string[] {
  return ws.map((w, i) => `${i === 0 ? 'warnings    ' : '            '}${w.checker} at ${formatDuration(w.t)}: ${w.message}`);
}
