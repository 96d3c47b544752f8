// The scenario modules the live worker bundles and runs (every file of scenarios/, each its own chunk, loaded
// when run). Shared with test/ui/scenario-list.test.ts, which checks the page's static list against them.

import type { ScenarioLoaders } from './scenarios.ts';

export const scenarioModules: ScenarioLoaders = {
  ...import.meta.glob<unknown>('../../../scenarios/*.ts', { import: 'default' }),
  ...import.meta.glob<unknown>('../../../scenarios/*.json', { import: 'default' }),
};
