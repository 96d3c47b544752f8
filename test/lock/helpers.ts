// Running lock scenarios in memory and reading their traces, for the lock tests.

import type { ScenarioInput } from '../../sim/scenario/schema.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import type { ScenarioResult } from '../../sim/scenario/run.ts';
import type { LockMessage, ResourceAck } from '../../sim/protocols/lock/messages.ts';
import { grantsIn } from '../../sim/protocols/lock/messages.ts';
import type { Grant } from '../../sim/protocols/common/lock-table.ts';

export interface Traced {
  result: ScenarioResult;
  events: TraceEvent[];
}

/** Run a scenario document with a config patch (bugs merged), keeping the trace events. */
export function runLock(input: ScenarioInput, patch: Record<string, unknown> = {}, extra: Partial<ScenarioInput> = {}): Traced {
  const config = { ...(input.config ?? {}), ...patch } as Record<string, unknown>;
  const s = parseScenario({ ...input, ...extra, config });
  const r = runScenario(s, { trace: true });
  const lines = (r.trace ?? '').trim().split('\n');
  const events = lines.slice(1, -1).map((l) => JSON.parse(l) as TraceEvent);
  return { result: r, events };
}

export function sends(events: TraceEvent[], from: string): { t: number; msg: LockMessage; to: string }[] {
  const out: { t: number; msg: LockMessage; to: string }[] = [];
  for (const e of events) if (e.type === 'send' && e.from === from) out.push({ t: e.t, to: e.to, msg: e.msg as unknown as LockMessage });
  return out;
}

/** Every distinct grant the server sent (a re-sent grant, same token, counted once), in order, with its first true send time. */
export function grants(events: TraceEvent[], server = 's1'): (Grant & { t: number })[] {
  const seen = new Set<string>();
  return sends(events, server)
    .flatMap((s) => grantsIn(s.msg).map((g) => ({ ...g, t: s.t })))
    .filter((g) => {
      const k = `${g.lock}#${g.token}#${g.session}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

/** Every write acknowledgement the resource sent (accepted or rejected), in order. */
export function acks(events: TraceEvent[], resource = 'r1'): (ResourceAck & { t: number })[] {
  return sends(events, resource).flatMap((s) => (s.msg.type === 'write-ack' ? [{ ...s.msg, t: s.t }] : []));
}
