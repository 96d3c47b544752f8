// A ready-made engine Checker named `linearizable`: at the end of a run it
// checks the client history against a model. Protocols add it to their
// checkers: `linearizableChecker(kvModel)`.

import type { Checker } from '../../engine/types.ts';
import { formatDuration } from '../../engine/time.ts';
import { checkHistory } from './checker.ts';
import type { Model } from './models.ts';

export interface LinearizableCheckerOptions {
  /** Search budget in model steps, per partition (key); an exhausted budget is no violation (nothing was proven) but a warning of the run. Default 2,000,000. */
  maxSteps?: number;
  /** Only check operations for which this holds (e.g. one client group). */
  filter?: (f: string, key: string | undefined) => boolean;
  /** Checker name; default `linearizable`. */
  name?: string;
  /**
   * Budget in model steps for the smallest failing core in the violation message (default 20,000:
   * fuzz shrinking re-checks failing runs many times; 0 leaves the core out).
   */
  coreSteps?: number;
}

export function linearizableChecker<S>(model: Model<S>, opts: LinearizableCheckerOptions = {}): Checker {
  const name = opts.name ?? 'linearizable';
  return {
    name,
    description: `the client history is linearizable (${model.name} model)`,
    when: 'final',
    check(view) {
      let history = view.history;
      if (opts.filter) {
        const keep = new Set<number>();
        for (const ev of history) if (ev.type === 'invoke' && opts.filter(ev.f, ev.key)) keep.add(ev.op);
        history = history.filter((ev) => keep.has(ev.op));
      }
      const result = checkHistory(history, model, { maxSteps: opts.maxSteps ?? 2_000_000, coreSteps: opts.coreSteps ?? 20_000, describePosition: (p) => (history[p] ? `t=${formatDuration(history[p].t)}` : '?') });
      if (result.verdict === 'unknown') {
        const u = result.undecided[0]!;
        const where = u.partition === '' ? '' : ` on key ${JSON.stringify(u.partition)}${result.undecided.length > 1 ? ` and ${result.undecided.length - 1} more` : ''}`;
        const budget = u.reason === 'memory' ? 'memory budget' : `search budget of ${opts.maxSteps ?? 2_000_000} model steps`;
        view.warn(name, `${model.name}: ${budget} ran out over ${u.operations} operations${where}: linearizability not decided`);
      }
      return result.failure ? result.failure.explanation : undefined;
    },
  };
}
