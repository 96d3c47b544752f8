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

/**
 * A scenario whose `protocol` is a module path (`'./my-protocol.ts'`, relative to the scenario
 * file) or a protocol registered by name: its config is checked by that protocol's schema when
 * the scenario is loaded.
 */
export type ModuleScenarioInput = Omit<ScenarioInput, 'protocol' | 'config'> & { protocol: string; config?: Record<string, unknown> };

/** Identity at run time; the value is validated when the scenario is loaded. */
export function defineScenario(s: TypedScenarioInput): ScenarioInput;
export function defineScenario(s: ModuleScenarioInput): ScenarioInput;
export function defineScenario(s: TypedScenarioInput | ModuleScenarioInput): ScenarioInput {
  return s as ScenarioInput;
}
