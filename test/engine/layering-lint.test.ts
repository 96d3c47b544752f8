// The layering of docs/architecture.md is enforced by ESLint (eslint.config.js, the
// `layering` blocks): these tests lint fixture text at paths inside each layer and
// prove every rule reports the import it exists to forbid, and stays quiet on the
// imports the layer is allowed. Data-driven: one row per rule and case.

import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });
const RULE = '@typescript-eslint/no-restricted-imports';
/** The visible warning on the one excused import (see eslint.config.js). */
const EXCUSED = 'no-restricted-syntax';

/** Severity of the layering reports for `code` linted as if it were `filePath` (0: none, 1: warning, 2: error). */
async function layering(code: string, filePath: string): Promise<{ severity: number; messages: string[] }> {
  const [result] = await eslint.lintText(code, { filePath });
  const hits = (result?.messages ?? []).filter((m) => m.ruleId === RULE || m.ruleId === EXCUSED);
  return { severity: Math.max(0, ...hits.map((m) => m.severity)), messages: hits.map((m) => m.message) };
}

const imp = (path: string): string => `import { x } from '${path}';\nexport const y = x;\n`;
const impType = (path: string): string => `import type { X } from '${path}';\nexport type Y = X;\n`;

// [rule, file, import path]: must be reported as an error.
const forbidden: [string, string, string][] = [
  ['engine imports nothing above it: scenario', 'sim/engine/fixture.ts', '../scenario/resolve.ts'],
  ['engine imports nothing above it: protocols', 'sim/engine/fixture.ts', '../protocols/raft/node.ts'],
  ['engine imports nothing above it: api', 'sim/engine/fixture.ts', '../api/protocol.ts'],
  ['engine imports nothing above it: errors', 'sim/engine/fixture.ts', '../errors.ts'],
  ['protocol: not another protocol', 'sim/protocols/twopc/fixture.ts', '../lock/server.ts'],
  ['protocol: not the registry', 'sim/protocols/twopc/fixture.ts', '../registry.ts'],
  ['protocol: not sim/scenario', 'sim/protocols/lock/fixture.ts', '../../scenario/protocol.ts'],
  ['protocol: not sim/fuzz', 'sim/protocols/lock/fixture.ts', '../../fuzz/fuzz.ts'],
  ['protocol: not sim/cli', 'sim/protocols/ring/fixture.ts', '../../cli/main.ts'],
  ['protocol: not outside sim/', 'sim/protocols/ring/fixture.ts', '../../../test/engine/harness.ts'],
  ['protocol: not the event loop', 'sim/protocols/raft/fixture.ts', '../../engine/simulation.ts'],
  ['protocol: not engine internals', 'sim/protocols/raft/fixture.ts', '../../engine/network.ts'],
  ['scenario: not a concrete protocol', 'sim/scenario/fixture.ts', '../protocols/raft/protocol.ts'],
  ['api: not the scenario layer', 'sim/api/fixture.ts', '../scenario/resolve.ts'],
  ['check: not a protocol', 'sim/check/fixture.ts', '../protocols/common/lock-table.ts'],
  ['check (nested): not the fuzzer', 'sim/check/linearizability/fixture.ts', '../../fuzz/fuzz.ts'],
];

// [layer, file, import path]: allowed, no layering report.
const allowed: [string, string, string][] = [
  ['engine: its own modules', 'sim/engine/fixture.ts', './types.ts'],
  ['engine: its own modules by the long way', 'sim/engine/fixture.ts', '../engine/random.ts'],
  ['engine: npm packages', 'sim/engine/fixture.ts', '@noble/hashes/sha2.js'],
  ['protocol: its own folder', 'sim/protocols/raft/fixture.ts', './log.ts'],
  ['protocol: engine types', 'sim/protocols/raft/fixture.ts', '../../engine/types.ts'],
  ['protocol: engine assert', 'sim/protocols/raft/fixture.ts', '../../engine/assert.ts'],
  ['protocol: engine target helpers', 'sim/protocols/lock/fixture.ts', '../../engine/targets.ts'],
  ['protocol: the protocol API', 'sim/protocols/lock/fixture.ts', '../../api/protocol.ts'],
  ['protocol: checkers', 'sim/protocols/lock/fixture.ts', '../../check/linearizability/index.ts'],
  ['protocol: shared errors', 'sim/protocols/lock/fixture.ts', '../../errors.ts'],
  ['protocol: zod', 'sim/protocols/lock/fixture.ts', 'zod'],
  ['protocol: shared state machines', 'sim/protocols/twopc/fixture.ts', '../common/lock-table.ts'],
  ['scenario: the registry', 'sim/scenario/fixture.ts', '../protocols/registry.ts'],
  ['scenario: the engine', 'sim/scenario/fixture.ts', '../engine/simulation.ts'],
  ['registry: concrete protocols', 'sim/protocols/registry.ts', './raft/protocol.ts'],
  ['check: the engine', 'sim/check/linearizability/fixture.ts', '../../engine/types.ts'],
  ['cli: anything', 'sim/cli/fixture.ts', '../protocols/raft/protocol.ts'],
];

describe('layering lint rules', () => {
  it.each(forbidden)('reports %s (%s imports %s)', async (_rule, file, path) => {
    for (const code of [imp(path), impType(path)]) {
      const r = await layering(code, file);
      expect(r.severity, `${file}: ${code}`).toBe(2);
      expect(r.messages.join('\n')).toContain('Layering');
    }
  });

  it.each(allowed)('allows %s (%s imports %s)', async (_rule, file, path) => {
    expect((await layering(imp(path), file)).messages).toEqual([]);
  });

  it('no protocol file is excused: the lock table several protocols run lives in sim/protocols/common, and common/ obeys the protocol rules', async () => {
    expect((await layering(imp('../common/lock-table.ts'), 'sim/protocols/raft/lock-service.ts')).messages).toEqual([]);
    expect((await layering(imp('../lock/server.ts'), 'sim/protocols/raft/lock-service.ts')).severity).toBe(2);
    expect((await layering(imp('../raft/node.ts'), 'sim/protocols/common/lock-table.ts')).severity).toBe(2);
    expect((await layering(imp('../../scenario/protocol.ts'), 'sim/protocols/common/lock-table.ts')).severity).toBe(2);
  });

  it('the determinism rule still applies in a layer that has layering rules (the two rules do not override each other)', async () => {
    const [result] = await eslint.lintText("import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n", { filePath: 'sim/protocols/raft/fixture.ts' });
    expect((result?.messages ?? []).some((m) => m.ruleId === 'no-restricted-imports')).toBe(true);
  });
});
