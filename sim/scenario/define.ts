// defineScenario(): the typed way to write a scenario in TypeScript. Each
// protocol adds its config's input type to ProtocolConfigMap (declaration
// merging), so `config` is checked against the protocol named in `protocol`.

import type { ProtocolConfigMap } from '../api/protocol.ts';
import type { ScenarioInput } from './schema.ts';

/** protocol name -> the input type of its config: declared in sim/api/protocol.ts, extended by each protocol with `declare module`. */
export type { ProtocolConfigMap };

export type TypedScenarioInput = {
  [P in keyof ProtocolConfigMap]: Omit<ScenarioInput, 'protocol' | 'config'> & { protocol: P; config?: ProtocolConfigMap[P] };
}[keyof ProtocolConfigMap];

/** Identity at run time; the value is validated when the scenario is loaded. */
export function defineScenario(s: TypedScenarioInput): ScenarioInput {
  return s as ScenarioInput;
}
