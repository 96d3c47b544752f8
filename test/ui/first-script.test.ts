// Issue 15: the page's first script (the entry chunk and every chunk it imports statically) stays small, so that
// the page evaluates it in well under a frame's worth of long tasks. The engine, the protocols and the
// linearizability checker are loaded only where they run (the live worker, the history worker), never by the page's
// first script. Read from Vite's build manifest of the built viewer (ui/dist/.vite/manifest.json).

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureViewerBuilt, VIEWER_DIST } from '../../sim/cli/commands/view.ts';

interface Chunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

/** The first script's chunks: the entry's, then those it imports statically (transitively); keys of the manifest. */
function firstScript(manifest: Record<string, Chunk>): string[] {
  const entries = Object.entries(manifest).filter(([, c]) => c.isEntry === true && c.file.endsWith('.js'));
  expect(entries).toHaveLength(1);
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const k of manifest[key]?.imports ?? []) visit(k);
  };
  visit(entries[0]![0]);
  return [...seen];
}

/** Bytes of the first script, as served (not compressed). */
const LIMIT = 230_000;
/** Text of modules that must not be in it (string literals survive minification): the engine's limits (sim/engine/simulation.ts), a history error of the linearizability checker (sim/check/linearizability/checker.ts). */
const NOT_FIRST = ["'timersPerNode'", 'which was never invoked'];

describe('the page first script', () => {
  it(`is at most ${LIMIT} bytes, without the engine, the protocols or the checker`, { timeout: 180_000 }, async () => {
    await ensureViewerBuilt();
    const manifest = JSON.parse(readFileSync(join(VIEWER_DIST, '.vite', 'manifest.json'), 'utf8')) as Record<string, Chunk>;
    const keys = firstScript(manifest);
    const bytes = keys.reduce((n, k) => n + statSync(join(VIEWER_DIST, manifest[k]!.file)).size, 0);
    expect(bytes).toBeLessThanOrEqual(LIMIT);
    // The engine and the checker are reached only from workers (a worker's script is a chunk of its own).
    const text = keys.map((k) => readFileSync(join(VIEWER_DIST, manifest[k]!.file), 'utf8')).join('\n');
    for (const marker of NOT_FIRST) expect(text.includes(marker), marker).toBe(false);
  });
});
