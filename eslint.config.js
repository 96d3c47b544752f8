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
);
