// Messages between the page and the live-run worker.

export interface ScenarioEntry {
  file: string;
  name: string;
  description: string;
  protocol: string;
  seed: string;
}

export type ToWorker = { kind: 'list' } | { kind: 'run'; file: string; seed: string };

export type FromWorker =
  | { kind: 'list'; scenarios: ScenarioEntry[]; problems: string[] }
  | { kind: 'done'; file: string; name: string; seed: string; blob: Blob; hash: string; held: boolean; explanation: string; wallMs: number }
  | { kind: 'error'; message: string };
