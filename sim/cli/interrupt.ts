// Ctrl-C (SIGINT) and SIGTERM for commands that run simulations.
//
// A simulation is synchronous, so a signal handler only runs when the event
// loop turns. Interruptible runs (Simulation.runInterruptible) therefore call
// `poll()` every few thousand steps: it yields to the event loop at most every
// YIELD_MS of wall time (so a signal is seen within about that long) and says
// whether a signal arrived. The run then stops where it is, writes a complete
// trace marked `interrupted: true`, and the command exits 128 + the signal
// number (130 for SIGINT, 143 for SIGTERM). A second signal exits at once,
// removing every temporary trace file first (nothing half-written is left).

import { performance } from 'node:perf_hooks';
import { abortOpenFiles } from './file-sink.ts';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Shell convention: 128 + signal number. */
export const SIGNAL_EXIT: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** Wall time between two turns of the event loop during a run (ms). */
const YIELD_MS = 25;

export class Interrupts {
  /** The first signal received, once one was. */
  signal: StopSignal | undefined;
  private last = performance.now();
  private readonly onSignal = (sig: StopSignal): void => {
    if (this.signal !== undefined) {
      abortOpenFiles();
      process.exit(SIGNAL_EXIT[sig]);
    }
    this.signal = sig;
  };

  /** Take over SIGINT and SIGTERM until dispose(). */
  install(): this {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    return this;
  }

  dispose(): void {
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
  }

  /** The exit code for the signal received (undefined when none was). */
  get exitCode(): number | undefined {
    return this.signal === undefined ? undefined : SIGNAL_EXIT[this.signal];
  }

  /** For Simulation.runInterruptible: yield to the event loop now and then; true once a signal arrived. */
  readonly poll = async (): Promise<boolean> => {
    const now = performance.now();
    if (now - this.last >= YIELD_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.last = performance.now();
    }
    return this.signal !== undefined;
  };
}

/** Run `fn` with SIGINT/SIGTERM taken over (see Interrupts); the handlers are removed afterwards. */
export async function withInterrupts<T>(fn: (interrupts: Interrupts) => Promise<T>): Promise<T> {
  const interrupts = new Interrupts().install();
  try {
    return await fn(interrupts);
  } finally {
    interrupts.dispose();
  }
}
