// The random nemesis: fault rates expanded, before the run starts, into an
// explicit timeline. The run then only ever sees plain data, which the trace
// header records and property tests can shrink.

import type { TimedFault } from './config.ts';
import type { Rng } from './random.ts';
import type { Micros, NodeId } from './types.ts';

export interface Span {
  min: Micros;
  max: Micros;
}

/** Rates are events per simulated second (a Poisson process each). */
export interface NemesisConfig {
  /** Nodes the nemesis may hurt (default: the protocol's servers). */
  targets?: NodeId[];
  /** Faults start here (default 0). */
  from?: Micros;
  /** Faults stop here; a quiesce follows (default: 70% of the run). */
  until?: Micros;
  crash?: { rate: number; downtime: Span };
  partition?: { rate: number; duration: Span };
  pause?: { rate: number; duration: Span };
  clock?: { rate: number; maxOffset: Micros; maxDrift: number };
  loss?: { rate: number; p: number; duration: Span };
}

function exp(rng: Rng, ratePerSecond: number): Micros {
  return Math.max(1, Math.round((-Math.log(1 - rng.next()) / ratePerSecond) * 1_000_000));
}

function span(rng: Rng, s: Span): Micros {
  return s.min + Math.floor(rng.next() * (s.max - s.min + 1));
}

/** Expand a nemesis into a timeline, sorted by time. Each fault kind draws from its own stream. */
export function expandNemesis(cfg: NemesisConfig, targets: NodeId[], duration: Micros, rng: Rng): TimedFault[] {
  const from = cfg.from ?? 0;
  const until = cfg.until ?? Math.floor(duration * 0.7);
  const nodes = cfg.targets ?? targets;
  const out: TimedFault[] = [];
  if (nodes.length === 0 || until <= from) return out;

  if (cfg.crash && cfg.crash.rate > 0) {
    const r = rng.fork('crash');
    const downUntil = new Map<NodeId, Micros>();
    for (let t = from + exp(r, cfg.crash.rate); t < until; t += exp(r, cfg.crash.rate)) {
      const node = r.pick(nodes);
      const down = span(r, cfg.crash.downtime);
      if ((downUntil.get(node) ?? -1) >= t) continue;
      const back = Math.min(t + down, until);
      downUntil.set(node, back);
      out.push({ at: t, kind: 'crash', node }, { at: back, kind: 'restart', node });
    }
  }
  if (cfg.partition && cfg.partition.rate > 0) {
    const r = rng.fork('partition');
    let busyUntil = -1;
    for (let t = from + exp(r, cfg.partition.rate); t < until; t += exp(r, cfg.partition.rate)) {
      if (t <= busyUntil) continue;
      const end = Math.min(t + span(r, cfg.partition.duration), until);
      busyUntil = end;
      const shape = r.int(0, 3);
      if (shape === 0) {
        out.push({ at: t, kind: 'isolate', node: r.pick(nodes) });
      } else if (shape === 1 && nodes.length >= 2) {
        const a = r.pick(nodes);
        const others = nodes.filter((n) => n !== a);
        out.push({ at: t, kind: 'block', from: a, to: r.pick(others) });
      } else {
        // Random split into a minority and a majority.
        const shuffled = [...nodes];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = r.int(0, i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j] as NodeId, shuffled[i] as NodeId];
        }
        const cut = Math.max(1, Math.floor(shuffled.length / 2));
        out.push({ at: t, kind: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)] });
      }
      out.push({ at: end, kind: 'heal' });
    }
  }
  if (cfg.pause && cfg.pause.rate > 0) {
    const r = rng.fork('pause');
    const busy = new Map<NodeId, Micros>();
    for (let t = from + exp(r, cfg.pause.rate); t < until; t += exp(r, cfg.pause.rate)) {
      const node = r.pick(nodes);
      if ((busy.get(node) ?? -1) >= t) continue;
      const end = Math.min(t + span(r, cfg.pause.duration), until);
      busy.set(node, end);
      out.push({ at: t, kind: 'pause', node }, { at: end, kind: 'resume', node });
    }
  }
  if (cfg.clock && cfg.clock.rate > 0) {
    const r = rng.fork('clock');
    for (let t = from + exp(r, cfg.clock.rate); t < until; t += exp(r, cfg.clock.rate)) {
      const node = r.pick(nodes);
      const offset = Math.round((r.next() * 2 - 1) * cfg.clock.maxOffset);
      const drift = (r.next() * 2 - 1) * cfg.clock.maxDrift;
      out.push({ at: t, kind: 'clock', node, offset, drift: Math.round(drift * 1e6) / 1e6 });
    }
  }
  if (cfg.loss && cfg.loss.rate > 0) {
    const r = rng.fork('loss');
    let busyUntil = -1;
    for (let t = from + exp(r, cfg.loss.rate); t < until; t += exp(r, cfg.loss.rate)) {
      if (t <= busyUntil) continue;
      const end = Math.min(t + span(r, cfg.loss.duration), until);
      busyUntil = end;
      out.push({ at: t, kind: 'loss', p: cfg.loss.p }, { at: end, kind: 'loss', p: 0 });
    }
  }
  out.push({ at: until, kind: 'quiesce' });
  // Stable sort: equal times keep generation order, so the timeline is deterministic.
  return out.map((f, i) => ({ f, i })).sort((a, b) => a.f.at - b.f.at || a.i - b.i).map((x) => x.f);
}
