import { expectScenario, fuzzTest } from 'faultline/vitest';
import { test } from 'vitest';

test('the basic scenario meets its expectation', async () => {
  await expectScenario(new URL('../scenarios/basic.ts', import.meta.url));
});

// Generated crashes, partitions, pauses and clock faults: no acknowledged write is ever lost.
fuzzTest('durable writes survive generated faults', new URL('../scenarios/basic.ts', import.meta.url), { runs: 50 });
