// Human-readable run summaries. Colour is optional (see colour.ts): plain by
// default, so callers that print to a pipe or compare text get plain lines.

import { formatDuration } from './time-format.ts';
import type { RunStats, Violation, Warning } from '../engine/types.ts';
import { plain, type Colours } from './colour.ts';

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

export function formatViolations(vs: readonly Violation[], c: Colours = plain): string[] {
  if (vs.length === 0) return [`violations  ${c.green('none')}`];
  return vs.map((v, i) => `${i === 0 ? 'violations  ' : '            '}${c.red(c.bold(v.invariant))} at ${formatDuration(v.t)} (event #${v.seq}, caused by #${v.cause}): ${v.message}`);
}

/** Most warning lines a summary prints; the rest are counted in one "n more" line (all of them are in --json). */
export const MAX_WARNING_LINES = 20;

export function formatWarnings(ws: readonly Warning[], c: Colours = plain, max = MAX_WARNING_LINES): string[] {
  if (!(Number.isInteger(max) && max >= 1)) throw new RangeError(`formatWarnings: max must be a positive integer (got ${max})`);
  const lines = ws.slice(0, max).map((w, i) => `${i === 0 ? 'warnings    ' : '            '}${c.yellow(w.checker)} at ${formatDuration(w.t)}: ${w.message}`);
  if (ws.length > max) lines.push(`            ... and ${ws.length - max} more warning${ws.length - max === 1 ? '' : 's'} (all of them in --json)`);
  return lines;
}

/** One warning line per checker that never reached its judging point (ScenarioResult.notJudged). */
export function formatNotJudged(names: readonly string[], c: Colours = plain): string[] {
  return names.map((n, i) => `${i === 0 ? 'not judged  ' : '            '}${c.yellow(n)}: never judged: the run ended before this checker's judging point (calm after the faults, a finished job, the quiesce point), so it passed without checking anything; give the run that point: a quiesce (a quiesce fault, or a nemesis 'until') followed by enough time, or a longer duration`);
}

/** The verdict line of `faultline run`: HELD (green), DID NOT HOLD (red) or INTERRUPTED (yellow). */
export function formatVerdict(held: boolean, explanation: string, interrupted: boolean, c: Colours = plain): string {
  const word = interrupted ? c.yellow(c.bold('INTERRUPTED')) : held ? c.green(c.bold('HELD')) : c.red(c.bold('DID NOT HOLD'));
  return `expected    ${word}: ${explanation}`;
}
