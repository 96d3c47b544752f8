// ESLint flat config. The determinism rule is the important part: nothing in
// sim/ (outside the CLI and benchmark entry points, which talk to the real
// world) may read wall-clock time, ambient randomness, timers or the environment.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nondeterministicGlobals = [
  { name: 'setTimeout', message: 'Determinism: use ctx.setTimer (virtual time) instead.' },
  { name: 'setInterval', message: 'Determinism: use ctx.setTimer (virtual time) instead.' },
  { name: 'setImmediate', message: 'Determinism: no real timers in sim/.' },
  { name: 'queueMicrotask', message: 'Determinism: no real scheduling in sim/.' },
  { name: 'performance', message: 'Determinism: no wall-clock time in sim/; use ctx.now().' },
  { name: 'crypto', message: 'Determinism: draw randomness from a seeded stream (ctx.random).' },
  { name: 'Date', message: 'Determinism: no wall-clock time in sim/; use ctx.now().' },
  { name: 'process', message: 'Determinism: no environment or process state in sim/.' },
];
const nondeterministicProperties = [
  { object: 'Math', property: 'random', message: 'Determinism: draw from a seeded stream (ctx.random / Rng).' },
  { object: 'Date', property: 'now', message: 'Determinism: no wall-clock time in sim/.' },
  { object: 'performance', property: 'now', message: 'Determinism: no wall-clock time in sim/.' },
  { object: 'crypto', property: 'getRandomValues', message: 'Determinism: use a seeded stream.' },
  { object: 'crypto', property: 'randomUUID', message: 'Determinism: use a seeded stream.' },
  { object: 'process', property: 'env', message: 'Determinism: configuration comes from the scenario.' },
  { object: 'globalThis', property: 'process', message: 'Determinism: no process state in sim/.' },
];


// Layering (docs/architecture.md, "Layers"): which folder may import which. Relative import
// paths are matched by regular expressions (no resolver needed, so it works on fixture text
// too); each folder is flat, so a path's depth says where it lands. A separate rule from the
// determinism one (typescript-eslint's no-restricted-imports, which also sees `import type`)
// so that the two never override each other's options. Proven by test/engine/layering-lint.test.ts.
const ENGINE_INTERNALS = 'simulation|events|node-slot|node-context|network|fault-apply|fault-timeline|checking|queue|nemesis|limits';
const layer = (patterns) => ['error', { patterns: patterns.map(([regex, message]) => ({ regex, message })) }];
const layering = [
  {
    // The engine is the bottom layer: it imports nothing outside sim/engine (npm packages are fine).
    files: ['sim/engine/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layer([
        ['^\\.\\./(?!engine/)', 'Layering: sim/engine imports nothing above it (only its own modules and npm packages).'],
      ]),
    },
  },
  {
    // A protocol sees the engine's public modules, the protocol API, the checkers and its own folder.
    files: ['sim/protocols/*/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layer([
        ['^\\.\\./(?!\\.\\./|common/)', 'Layering: a protocol imports only its own folder, sim/protocols/common (state machines several protocols run), sim/engine (public modules), sim/api and sim/check: not another protocol or the registry.'],
        ['^\\.\\./\\.\\./(?!engine/|api/|check/|errors\\.ts$)', 'Layering: a protocol imports only its own folder, sim/engine (public modules), sim/api and sim/check: not sim/scenario, sim/fuzz, sim/cli or other layers.'],
        [`(^|/)engine/(${ENGINE_INTERNALS})\\.ts$`, 'Layering: this engine module is internal to the event loop; a protocol uses the public ones (types, assert, time, random, disk, json, config, targets, fault-state).'],
      ]),
    },
  },
  {
    // Raft as a library (sim/protocols/raft/README.md, "Running your own state machine on Raft"):
    // the ZooKeeper-like service replicates its data tree on Raft's servers and the counter's Raft
    // design runs on its key-value store, so they may import Raft's reuse surface, sim/protocols/raft/public.ts (the package's
    // `faultline/raft` entry point: what a user's protocol on Raft imports), and nothing else of another protocol.
    files: ['sim/protocols/zookeeper/**/*.ts', 'sim/protocols/counter/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layer([
        ['^\\.\\./(?!\\.\\./|raft/public\\.ts$|common/)', 'Layering: a protocol imports only its own folder, sim/engine (public modules), sim/api and sim/check, and Raft\'s reuse surface raft/public.ts (the package\'s faultline/raft): not another protocol or the registry.'],
        ['^\\.\\./\\.\\./(?!engine/|api/|check/|errors\\.ts$)', 'Layering: a protocol imports only its own folder, sim/engine (public modules), sim/api and sim/check: not sim/scenario, sim/fuzz, sim/cli or other layers.'],
        [`(^|/)engine/(${ENGINE_INTERNALS})\\.ts$`, 'Layering: this engine module is internal to the event loop; a protocol uses the public ones (types, assert, time, random, disk, json, config, targets, fault-state).'],
      ]),
    },
  },
  {
    // The scenario layer reaches protocols only through the registry.
    files: ['sim/scenario/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layer([
        ['(^|/)protocols/(?!registry\\.ts$)', 'Layering: sim/scenario does not import concrete protocols; it looks them up in sim/protocols/registry.ts.'],
      ]),
    },
  },
  {
    // The protocol API and the checkers sit just above the engine.
    files: ['sim/api/**/*.ts', 'sim/check/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layer([
        ['(^|/)(scenario|protocols|fuzz|cli|explore|bench|trace|ui)/', 'Layering: sim/api and sim/check import only sim/engine, sim/errors.ts and their own folder.'],
      ]),
    },
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'traces/**', 'ui/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['sim/**/*.ts'],
    ignores: ['sim/cli/**', 'sim/bench/**'],
    rules: {
      'no-restricted-globals': ['error', ...nondeterministicGlobals],
      'no-restricted-properties': ['error', ...nondeterministicProperties],
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'node:crypto', message: 'Determinism: use a seeded stream.' },
          { name: 'crypto', message: 'Determinism: use a seeded stream.' },
          { name: 'node:fs', message: 'sim/ is pure: I/O belongs to sim/cli.' },
          { name: 'fs', message: 'sim/ is pure: I/O belongs to sim/cli.' },
          { name: 'node:perf_hooks', message: 'Determinism: no wall-clock time in sim/.' },
          { name: 'node:timers', message: 'Determinism: no real timers in sim/.' },
        ],
      }],
    },
  },
  ...layering,
);
