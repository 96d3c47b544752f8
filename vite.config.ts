// The viewer is built from ui/; it imports the engine and protocols from sim/
// directly so that a scenario run live in the page uses the same code as Node.
// root is absolute so that `faultline view` can build from any directory. The build
// manifest (ui/dist/.vite/manifest.json) lists each chunk's static imports: the test of
// the page's first script's size reads it (test/ui/first-script.test.ts). The scenario drop-down's list is
// computed at build time (ui/build/scenario-list.ts: `virtual:faultline-scenarios`), so that a trace page never
// starts the live (engine) worker.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { scenarioListPlugin } from './ui/build/scenario-list.ts';

export default defineConfig({
  root: fileURLToPath(new URL('./ui', import.meta.url)),
  base: './',
  plugins: [scenarioListPlugin()],
  build: { outDir: 'dist', emptyOutDir: true, manifest: true, target: 'es2022', chunkSizeWarningLimit: 1000 },
  worker: { format: 'es' },
  server: { fs: { allow: ['..'] } },
  logLevel: 'warn',
});
