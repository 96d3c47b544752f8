// Categorical colours that stay apart: message types on the diagram and Raft
// terms in the log grid. A palette is chosen greedily in CIELAB (d3-color):
// from a grid of candidate colours (hue × chroma × lightness in CIE LCh), each
// next colour is the candidate farthest (CIE76 ΔE, Euclidean distance in Lab)
// from every colour already taken and from the reserved colours that carry a
// meaning of their own (dropped/violation red, duplicate purple, the cursor's
// orange, the "conflict" red and "diverge" amber of the Raft grid). Farthest-
// point selection keeps the first colours the most distinct, so a trace with
// few types gets very different colours and one with 20 still gets colours a
// reader can tell apart (test/ui/palette-s10.test.ts measures the pairwise ΔE).
// Past PALETTE_SIZE types, colours repeat with a dash pattern (typeDash).

import { hcl, lab, rgb } from 'd3-color';

/** CIE76 colour difference (ΔE*ab): Euclidean distance in CIELAB. */
export function deltaE(a: string, b: string): number {
  const p = lab(a);
  const q = lab(b);
  return Math.hypot(p.l - q.l, p.a - q.a, p.b - q.b);
}

export interface PaletteOptions {
  /** How many colours. */
  size: number;
  /** Colours the palette must stay away from (they mean something else). */
  reserved: readonly string[];
  /** The first colour (kept for continuity with earlier drawings). */
  first?: string;
  /** Lightness range (CIE L*, 0..100) of the candidates: dark enough for lines on white or white text. */
  light: [number, number];
}

/** Greedy farthest-point palette over an LCh grid; deterministic. Colours as #rrggbb. */
export function farthestPalette(o: PaletteOptions): string[] {
  const cands: string[] = [];
  for (let l = o.light[0]; l <= o.light[1]; l += 8)
    for (const c of [35, 55, 75])
      for (let h = 0; h < 360; h += 10) {
        const col = hcl(h, c, l).rgb();
        if (!col.displayable()) continue;
        cands.push(col.formatHex());
      }
  const labs = cands.map((c) => lab(c));
  const minD = labs.map(() => Infinity);
  const taken: string[] = [];
  const take = (c: string): void => {
    taken.push(c);
    const p = lab(c);
    labs.forEach((q, i) => {
      minD[i] = Math.min(minD[i] as number, Math.hypot(p.l - q.l, p.a - q.a, p.b - q.b));
    });
  };
  for (const r of o.reserved) {
    const p = lab(r);
    labs.forEach((q, i) => {
      minD[i] = Math.min(minD[i] as number, Math.hypot(p.l - q.l, p.a - q.a, p.b - q.b));
    });
  }
  if (o.first !== undefined) take(rgb(o.first).formatHex());
  while (taken.length < o.size) {
    let best = 0;
    for (let i = 1; i < cands.length; i++) if ((minD[i] as number) > (minD[best] as number)) best = i;
    take(cands[best] as string);
  }
  return taken;
}

/** Colours with a meaning of their own on the diagram: dropped/violation red, duplicate purple, cursor orange, in-flight grey. */
export const DIAGRAM_RESERVED = ['#d0342c', '#8e44ad', '#e67e22', '#8a8a8a'];
/** Markers of the Raft log grid: red = same index and term, different commands; amber = servers disagree on the term. */
export const RAFT_GRID_RESERVED = ['#d0342c', '#e6a000'];

/** Message-type colours: this many distinct ones, then repeats with a dash pattern. */
export const PALETTE_SIZE = 20;

/** How the message-type palette is chosen (`farthestPalette`): lines on white, L* 30..70, away from the diagram's reserved colours. */
export const TYPE_PALETTE_OPTIONS: PaletteOptions = { size: PALETTE_SIZE, reserved: DIAGRAM_RESERVED, first: '#2f6fb3', light: [30, 70] };
/**
 * `farthestPalette(TYPE_PALETTE_OPTIONS)`, computed once here rather than in the page (a search over a CIELAB grid:
 * 30-50 ms of the page's first drawing of a trace, issue 15); test/ui/palette-s10.test.ts checks that it still equals it.
 */
export const TYPE_PALETTE: readonly string[] = ['#2f6fb3', '#5fc134', '#ed2a85', '#772c3f', '#354e12', '#9a9a2c', '#22c386', '#e892a2', '#47bbca', '#023db8', '#c29edc', '#a8754d', '#127c61', '#7d2a00', '#df6db9', '#8eb679', '#593a71', '#1a7e2b', '#fb8a6e', '#840f65'];
/** The message-type palette (PALETTE_SIZE colours, lines on white: L* 30..70): `TYPE_PALETTE`. */
export function typePalette(): readonly string[] {
  return TYPE_PALETTE;
}

/** Dash pattern (canvas setLineDash, px) of message type number i: solid for the first PALETTE_SIZE, then dashed/dotted per repeat. */
export function typeDash(i: number): number[] {
  const round = Math.floor(Math.max(0, i) / PALETTE_SIZE);
  return ([[], [6, 3], [2, 2], [8, 2, 2, 2]][round % 4] as number[]).slice();
}

/** How the Raft term palette is chosen: 12 colours dark enough for white text (L* 30..55), away from the grid's conflict red and diverge amber. */
export const TERM_PALETTE_OPTIONS: PaletteOptions = { size: 12, reserved: RAFT_GRID_RESERVED, first: '#2f6fb3', light: [30, 54] };
/** `farthestPalette(TERM_PALETTE_OPTIONS)`, computed once here (as `TYPE_PALETTE`; the same test checks it). */
export const TERM_PALETTE: readonly string[] = ['#2f6fb3', '#01954e', '#de3ab0', '#59430c', '#4831af', '#732d51', '#748919', '#0a918a', '#d55374', '#b96d2d', '#a06bcb', '#1c5121'];
/** Raft term colours: `TERM_PALETTE`. */
export function termPalette(): readonly string[] {
  return TERM_PALETTE;
}

/**
 * d3's schemeTableau10, written out: importing it from d3 brings d3-scale-chromatic (one module) into the page's
 * first script, and with it every scheme and ramp that module computes when evaluated (about a hundred colour
 * interpolators, most of the d3 part of the start's module evaluation; issue 15). test/ui/palette-s10.test.ts
 * checks it equals d3's.
 */
export const TABLEAU10: readonly string[] = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f', '#bab0ab'];
