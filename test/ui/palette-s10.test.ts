// Colours a reader must tell apart: message types on the diagram (ring has 12,
// up to ~20 must stay distinct, then dash patterns) and Raft terms in the log
// grid (never the red that the grid's legend reserves for "same index and term,
// different commands", nor its amber "diverge" ring). Measured as CIE76 ΔE in
// CIELAB (d3-color): about 2.3 is a just-noticeable difference; 20 keeps two
// thin lines of different types apart at a glance.

import { schemeTableau10 } from 'd3';
import { describe, expect, it } from 'vitest';
import { typeColor } from '../../ui/src/diagram.ts';
import { deltaE, DIAGRAM_RESERVED, farthestPalette, PALETTE_SIZE, RAFT_GRID_RESERVED, TABLEAU10, TERM_PALETTE, TERM_PALETTE_OPTIONS, TYPE_PALETTE, TYPE_PALETTE_OPTIONS, typeDash, typePalette } from '../../ui/src/palette.ts';
import { termColor } from '../../ui/src/panels/raft.ts';

const MIN_APART = 20;

function minPair(colours: readonly string[]): { d: number; pair: string } {
  let best = { d: Infinity, pair: '' };
  for (let i = 0; i < colours.length; i++)
    for (let j = i + 1; j < colours.length; j++) {
      const d = deltaE(colours[i] as string, colours[j] as string);
      if (d < best.d) best = { d, pair: `${i}:${colours[i]} ${j}:${colours[j]}` };
    }
  return best;
}

describe('palettes', () => {
  // The ring and lock panels' node colours, written out so that the page's first script does not evaluate d3-scale-chromatic.
  it("TABLEAU10 is d3's schemeTableau10", () => {
    expect(TABLEAU10).toEqual(schemeTableau10);
  });

  // The page ships the palettes computed (the search takes 30-50 ms of a first drawing): they must be what the
  // search chooses from their options, so that a change of the options or of the search shows here.
  it.each([
    ['message types', TYPE_PALETTE, TYPE_PALETTE_OPTIONS],
    ['Raft terms', TERM_PALETTE, TERM_PALETTE_OPTIONS],
  ] as const)('the shipped %s palette is farthestPalette of its options', (_name, shipped, options) => {
    expect(shipped).toEqual(farthestPalette(options));
  });

  it("the ring's 12 message types, and any 20, have pairwise distinct colours", () => {
    const ring = ['client-req', 'client-reply', 'get', 'put', 'handoff', 'handoff-done', 'retry', 'ring-update', 'redirect', 'ring-active', 'join', 'leave'];
    const colours = ring.map((t) => typeColor(ring, t));
    expect(minPair(colours).d, minPair(colours).pair).toBeGreaterThan(MIN_APART);
    const twenty = Array.from({ length: PALETTE_SIZE }, (_, i) => `t${i}`);
    const c20 = twenty.map((t) => typeColor(twenty, t));
    expect(minPair(c20).d, minPair(c20).pair).toBeGreaterThan(MIN_APART);
  });

  it('message-type colours stay away from dropped red, duplicate purple, cursor orange, in-flight grey', () => {
    for (const c of typePalette()) for (const r of DIAGRAM_RESERVED) expect(deltaE(c, r), `${c} vs ${r}`).toBeGreaterThan(MIN_APART);
  });

  it('past the palette, a repeated colour has another dash pattern', () => {
    const n = PALETTE_SIZE * 3;
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const key = `${typePalette()[i % PALETTE_SIZE]}|${typeDash(i).join(',')}`;
      expect(seen.has(key), `type ${i}`).toBe(false);
      seen.add(key);
    }
  });

  it("Raft term colours: distinct for consecutive terms and never the grid's conflict red or diverge amber", () => {
    const colours = Array.from({ length: 12 }, (_, t) => termColor(t));
    expect(minPair(colours).d, minPair(colours).pair).toBeGreaterThan(MIN_APART);
    for (let t = 0; t < 100; t++) for (const r of RAFT_GRID_RESERVED) expect(deltaE(termColor(t), r), `term ${t}`).toBeGreaterThan(MIN_APART);
  });
});
