// The viewer is built from ui/; it imports the engine and protocols from sim/
// directly so that a scenario run live in the page uses the same code as Node.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'ui',
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { fs: { allow: ['..'] } },
});
