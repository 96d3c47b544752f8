// Node clocks. Each node reads a local clock that may be offset from true time and
// drift: local(t) = baseLocal + (t - baseTrue) * (1 + drift), in integer
// microseconds (floored). Timers run on the local clock, so a fast clock fires
// early in true time. A clock fault re-bases the line at the current true time.

import { assert } from './assert.ts';
import type { ClockConfig } from './config.ts';
import type { Micros, NodeId } from './types.ts';

export class NodeClock {
  /** Local reading at true time baseTrue (µs). */
  private baseLocal: number;
  /** True time of the last re-base (µs). */
  private baseTrue = 0;
  /** Rate error: 0.01 runs 1% fast. Always > -1 (a clock that runs). */
  private rate: number;

  constructor(
    private readonly node: NodeId,
    clock: ClockConfig,
  ) {
    assert(clock.drift > -1, `clock drift of ${node} must be > -1`);
    this.baseLocal = clock.offset;
    this.rate = clock.drift;
  }

  get drift(): number {
    return this.rate;
  }

  /** The local reading at true time `t` (µs). */
  local(t: Micros): Micros {
    return Math.floor(this.baseLocal + (t - this.baseTrue) * (1 + this.rate));
  }

  /** True time (µs, rounded up) for `delay` µs to pass on this clock. */
  trueDelay(delay: Micros): Micros {
    return Math.ceil(delay / (1 + this.rate));
  }

  /**
   * A clock fault at true time `t`: jump to `t + offset` when an offset is given (else keep the
   * reading), and run at `drift` from now on when given. Returns how far local time moved (µs).
   */
  set(t: Micros, offset: Micros | undefined, drift: number | undefined): { jump: Micros; offset: Micros } {
    const before = this.local(t);
    this.baseTrue = t;
    this.baseLocal = offset !== undefined ? t + offset : before;
    if (drift !== undefined) {
      assert(drift > -1, `clock drift of ${this.node} must be > -1`);
      this.rate = drift;
    }
    return { jump: this.baseLocal - before, offset: this.baseLocal - t };
  }
}
