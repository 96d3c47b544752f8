// A small SVG timeline over the whole run: labelled rows of coloured segments
// and the cursor. Used for lock holders, leases and in-doubt intervals.

import { scaleLinear } from 'd3';
import { svg } from '../dom.ts';
import { fmtTick } from '../format.ts';

export interface Segment {
  from: number;
  to: number;
  label: string;
  color: string;
  /** Hover text. */
  title?: string;
  dashed?: boolean;
}
export interface Row {
  label: string;
  segments: Segment[];
  /** Point marks (resource writes). */
  marks?: { t: number; color: string; title: string }[];
}

const LABEL_W = 90;
const ROW_H = 18;

export function timeline(rows: Row[], t0: number, t1: number, cursorT: number, width = 360): SVGSVGElement {
  const h = rows.length * ROW_H + 16;
  const x = scaleLinear()
    .domain([t0, Math.max(t0 + 1, t1)])
    .range([LABEL_W, width - 6])
    .clamp(true);
  const root = svg('svg', { width, height: h, class: 'timeline' });
  rows.forEach((r, i) => {
    const y = i * ROW_H;
    root.appendChild(svg('text', { x: 2, y: y + 13, class: 'tl-label' }, r.label));
    root.appendChild(svg('line', { x1: LABEL_W, x2: width - 6, y1: y + 9, y2: y + 9, stroke: '#e3e6ea' }));
    for (const s of r.segments) {
      const a = x(s.from);
      const b = Math.max(a + 2, x(s.to));
      const g = svg('g', {});
      g.appendChild(svg('title', {}, s.title ?? s.label));
      g.appendChild(svg('rect', { x: a, y: y + 2, width: b - a, height: ROW_H - 5, fill: s.color, 'fill-opacity': s.dashed ? 0.25 : 0.7, stroke: s.color, 'stroke-dasharray': s.dashed ? '3 2' : 'none', rx: 2 }));
      if (b - a > 24) g.appendChild(svg('text', { x: a + 3, y: y + 13, class: 'tl-seg' }, s.label));
      root.appendChild(g);
    }
    for (const mk of r.marks ?? []) {
      const g = svg('g', {});
      g.appendChild(svg('title', {}, mk.title));
      g.appendChild(svg('circle', { cx: x(mk.t), cy: y + 9, r: 3.5, fill: mk.color }));
      root.appendChild(g);
    }
  });
  const cx = x(cursorT);
  root.appendChild(svg('line', { x1: cx, x2: cx, y1: 0, y2: h - 14, stroke: '#e67e22', 'stroke-width': 1.5 }));
  root.appendChild(svg('text', { x: LABEL_W, y: h - 2, class: 'tl-axis' }, fmtTick(t0)));
  root.appendChild(svg('text', { x: width - 6, y: h - 2, class: 'tl-axis', 'text-anchor': 'end' }, fmtTick(t1)));
  return root;
}
