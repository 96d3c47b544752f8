import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // examples/ import the package by name, as a user's project does: here that is these sources.
  resolve: {
    alias: [
      { find: /^faultline$/, replacement: fileURLToPath(new URL('./sim/index.ts', import.meta.url)) },
      { find: /^faultline\/vitest$/, replacement: fileURLToPath(new URL('./sim/vitest/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'threads',
    setupFiles: ['./test/setup.ts'],
    reporters: ['default', './test/closing-line-reporter.ts'],
  },
});
