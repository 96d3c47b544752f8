// Messages between the page and the live-run worker.

import type { JsonValue } from '../../../sim/engine/types.ts';
import type { DriveRequest, StepChoice } from './drive.ts';

export interface ScenarioEntry {
  file: string;
  name: string;
  description: string;
  protocol: string;
  seed: string;
}

export type ToWorker =
  | { kind: 'run'; file: string; seed: string }
  /** Run a scenario document (a trace header's resolved scenario with a fault added): a branch of a run. */
  | { kind: 'branch'; scenario: JsonValue; seed: string; label: string; at: number }
  /** A branch on the stepping engine (step mode, drop or delay one message): see drive.ts. `at`: true time for the cursor, -1 for the last event. */
  | { kind: 'drive'; req: DriveRequest; label: string; at: number };

export type FromWorker =
  | { kind: 'done'; file: string; name: string; seed: string; blob: Blob; hash: string; held: boolean; explanation: string; wallMs: number; branch?: { scenario: JsonValue; label: string; at: number }; step?: { choices: StepChoice[]; schedule: string[]; halted: boolean } }
  | { kind: 'error'; message: string };
