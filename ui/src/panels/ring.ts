// Ring panel: the members on a circle with their virtual nodes coloured by
// owner (arcs show which member owns each stretch of the hash space), the key
// count of each storage node, and hand-offs in flight, at the cursor.
// In the ring protocol's native mode the points are exactly the protocol's:
// hash32("<id>#<i>"), round(vnodes x weight) per member (sim/protocols/ring/
// ring.ts), with vnodes from the trace's resolved config. Otherwise (ketama,
// or a foreign trace) the viewer places 8 points per unit of weight with its
// own hash: a picture of how the space is divided, not the exact placement.

import { TABLEAU10 } from '../palette.ts';
import { hash32 } from '../../../sim/protocols/ring/hash.ts';
import { stateAt } from '../../../sim/trace/model.ts';
import type { ColumnarModel as TraceModel } from '../../../sim/trace/columns.ts';
import { el, replace, svg } from '../dom.ts';
import type { PanelFactory, ProtocolView } from './panel.ts';
import { isRing, type RingState } from './shapes.ts';

const VNODES = 8;
const R = 70;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Murmur3's finaliser: FNV alone clusters short keys like "n1#0", "n1#1".
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export interface RingLayout {
  /** 'native': the protocol's own points; 'sketch': the viewer's approximation. */
  kind: 'native' | 'sketch';
  vnodes: number;
}

/** Which placement to draw, from the ring config in the trace header (config.config.mode / vnodes). */
export function ringLayout(model: Pick<TraceModel, 'header'>): RingLayout {
  const cfg = (model.header.config as { config?: { mode?: unknown; vnodes?: unknown } } | null)?.config;
  const mode = cfg?.mode ?? 'native';
  const vnodes = typeof cfg?.vnodes === 'number' ? cfg.vnodes : 160;
  return model.header.protocol === 'ring' && mode === 'native' ? { kind: 'native', vnodes } : { kind: 'sketch', vnodes: VNODES };
}

export function ringPoints(members: RingState['members'], layout: RingLayout = { kind: 'sketch', vnodes: VNODES }): { id: string; angle: number }[] {
  const pts: { id: string; angle: number }[] = [];
  const hash = layout.kind === 'native' ? (s: string) => hash32(s) : fnv1a;
  for (const m of members) {
    const n = Math.max(1, Math.round(layout.vnodes * m.weight));
    for (let i = 0; i < n; i++) pts.push({ id: m.id, angle: (hash(`${m.id}#${i}`) / 2 ** 32) * Math.PI * 2 });
  }
  return pts.sort((a, b) => a.angle - b.angle || (a.id < b.id ? -1 : 1));
}

export const ringPanel: PanelFactory = (store, model) => {
  const nodes = model.nodes.filter((n) => (model.states.get(n) ?? []).some((s) => isRing(s.state)));
  if (nodes.length === 0) return undefined;
  const color = (id: string): string => TABLEAU10[Math.max(0, model.nodes.indexOf(id)) % 10] as string;
  const layout = ringLayout(model);
  const body = el('div');
  const root = el('section', { class: 'panel', testid: 'panel-ring' }, el('h3', null, 'Ring'), body);
  return {
    root,
    update() {
      const states = new Map<string, RingState>();
      let newest: RingState | undefined;
      for (const n of nodes) {
        const s = stateAt(model, n, store.cursor)?.state;
        if (!isRing(s)) continue;
        states.set(n, s);
        if (!newest || s.ringVersion > newest.ringVersion) newest = s;
      }
      const pic = svg('svg', { width: 2 * R + 40, height: 2 * R + 40, class: 'ring', 'data-testid': 'ring-circle' });
      const cx = R + 20;
      const cy = R + 20;
      pic.appendChild(svg('circle', { cx, cy, r: R, fill: 'none', stroke: '#ccc', 'stroke-width': 8 }));
      if (newest) {
        const pts = ringPoints(newest.members, layout);
        // Each point owns the arc from the previous point up to itself (clockwise).
        pts.forEach((p, i) => {
          const prev = pts[(i - 1 + pts.length) % pts.length]!;
          let a0 = prev.angle;
          const a1 = p.angle;
          if (a0 > a1 || pts.length === 1) a0 -= Math.PI * 2;
          const large = a1 - a0 > Math.PI ? 1 : 0;
          const [x0, y0] = [cx + R * Math.sin(a0), cy - R * Math.cos(a0)];
          const [x1, y1] = [cx + R * Math.sin(a1), cy - R * Math.cos(a1)];
          pic.appendChild(svg('path', { d: `M ${x0} ${y0} A ${R} ${R} 0 ${large} 1 ${x1} ${y1}`, fill: 'none', stroke: color(p.id), 'stroke-width': 8 }));
        });
        if (pts.length <= 128) for (const p of pts) pic.appendChild(svg('circle', { cx: cx + R * Math.sin(p.angle), cy: cy - R * Math.cos(p.angle), r: 3, fill: '#fff', stroke: color(p.id), 'stroke-width': 2 }));
        pic.appendChild(svg('text', { x: cx, y: cy + 4, 'text-anchor': 'middle', class: 'tl-label' }, `ring v${newest.ringVersion}`));
      }
      const maxKeys = Math.max(1, ...[...states.values()].map((s) => s.keys));
      const rows = nodes.map((n) => {
        const s = states.get(n);
        return el(
          'tr',
          { testid: `ring-row-${n}` },
          el('td', null, el('span', { class: 'swatch', style: { background: color(n) } }), n),
          el('td', null, s ? `v${s.ringVersion}` : '—'),
          el('td', { testid: `ring-keys-${n}` }, s ? s.keys : '—'),
          el('td', null, el('div', { class: 'bar', style: { width: `${((s?.keys ?? 0) / maxKeys) * 100}px`, background: color(n) } })),
          el('td', { class: 'small' }, s && s.migrating.length ? s.migrating.map((mg) => `→ ${mg.to}: ${mg.keys} keys`).join(', ') : ''),
        );
      });
      replace(
        body,
        el('div', { class: 'ring-wrap' }, pic, el('table', { class: 'grid' }, el('thead', null, el('tr', null, ...['node', 'ring', 'keys', '', 'migrating'].map((h) => el('th', null, h)))), el('tbody', null, ...rows))),
        el('div', { class: 'muted small', testid: 'ring-layout' }, layout.kind === 'native' ? `the protocol's ${layout.vnodes} virtual nodes per unit of weight, coloured by owner (each owns the arc up to it)` : `virtual nodes coloured by owner; a sketch by the viewer's hash (${VNODES} points per unit of weight), not the exact placement`),
      );
    },
  };
};

/** The ring protocol's entry in the panel registry. */
export const ringView: ProtocolView = { panels: [ringPanel] };
