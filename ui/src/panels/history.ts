// Client history panel, drawn as Porcupine draws one: each operation a bar
// from its invoke to its return, one row per client process, one partition
// (key) at a time, over the diagram's visible window. The history is checked
// for linearizability in a worker of its own (history-worker.ts: sim/trace/history.ts over sim/check): a
// linearizable key shows the linearization found (a numbered point inside
// each bar, joined in order); a key that is not shows the longest linearizable
// prefix (numbered), the operation that cannot be placed after it (thick red
// outline), the operations concurrent with it (amber outline) and the minimal
// failing core (red, hatched), which are also ringed on the diagram. "Jump to
// cause" moves the cursor to the stuck operation and zooms to the core.

import { scaleLinear } from 'd3';
import type { HistoryAnalysis, PartitionView } from '../../../sim/trace/history.ts';
import type { HistoryReply } from './history-worker.ts';
import type { OperationRec } from '../../../sim/trace/model.ts';
import { el, replace, svg } from '../dom.ts';
import { fmtTick, fmtTime, fmtValue } from '../format.ts';
import type { PanelFactory } from './panel.ts';

const OUTCOME_COLORS: Record<string, string> = { ok: '#2e8b57', fail: '#d0342c', info: '#e6a000', pending: '#8a8a8a' };
/** Above this many operations of the key in view the bars would be noise: ask to zoom in. */
const MAX_BARS = 400;
/** Histories up to this many operations are checked in the page. */
export const CHECK_LIMIT = 20_000;
const LABEL_W = 70;
const ROW_H = 22;
const WIDTH = 410;

function describeOp(o: OperationRec): string {
  const call = `${o.process} ${o.f}${o.key !== undefined ? ` ${o.key}` : ''}${o.value !== undefined ? ` ${fmtValue(o.value)}` : ''}`;
  const end = o.returnT === undefined ? 'pending at the end (unknown outcome)' : `${o.outcome}${o.result !== undefined ? ` ${fmtValue(o.result)}` : ''} at ${fmtTime(o.returnT)}`;
  return `op ${o.op}: ${call}, invoked at ${fmtTime(o.invokeT)} on ${o.node} → ${end}`;
}

function shortOp(o: OperationRec): string {
  return `${o.f}${o.value !== undefined ? ` ${fmtValue(o.value)}` : ''}${o.result !== undefined ? `→${fmtValue(o.result)}` : ''}`;
}

type Role = 'stuck' | 'core' | 'concurrent' | 'placed' | 'unplaced';

export const historyPanel: PanelFactory = (store, model) => {
  const ops = model.operations;
  if (ops.length === 0) return undefined;
  let analysis: HistoryAnalysis | undefined;
  let key: string | undefined;
  const body = el('div');
  const verdictBox = el('div', { class: 'small', testid: 'history-verdict' }, ops.length > CHECK_LIMIT ? `${ops.length} operations: too many to check in the page (use faultline check)` : 'checking linearizability…');
  const keySel = el('select', { testid: 'history-key', attrs: { 'aria-label': 'key' } });
  keySel.addEventListener('change', () => {
    key = keySel.value;
    panel.update();
  });
  const keyRow = el('div', { class: 'small hidden' }, 'key ', keySel);
  const root = el('section', { class: 'panel', testid: 'panel-history' }, el('h3', null, 'Client operations'), verdictBox, keyRow, body);

  /** Cursor to the stuck operation, the window around the core, the core ringed on the diagram. */
  const jumpToCause = (): void => {
    // From the Violations panel before the check after the first paint has answered: once it has.
    if (!checked && ops.length <= CHECK_LIMIT) {
      void analyze().then(jumpToCause);
      return;
    }
    const f = analysis?.failure;
    if (!f) return;
    key = f.key;
    keySel.value = f.key;
    const involved = [...new Set([...f.core, f.stuck])].map((i) => ops[i]!);
    const a = Math.min(...involved.map((o) => o.invokeT));
    const b = Math.max(...involved.map((o) => o.returnT ?? model.endT));
    const pad = Math.max(1, (b - a) * 0.15);
    store.setWindow(Math.max(model.startT, a - pad), Math.min(model.endT, b + pad));
    const stuck = ops[f.stuck]!;
    store.setCursor(stuck.returnSeq ?? stuck.invokeSeq);
    root.scrollIntoView({ block: 'nearest' });
    panel.update();
  };
  store.focusHistory = jumpToCause;

  /** The check, asked once of the history worker; resolves when its answer is shown. */
  let analyzing: Promise<void> | undefined;
  let checked = false;
  const analyze = (): Promise<void> =>
    (analyzing ??= new Promise<void>((done) => {
      const worker = new Worker(new URL('./history-worker.ts', import.meta.url), { type: 'module' });
      const finish = (reply: HistoryReply): void => {
        worker.terminate();
        checked = true;
        if ('error' in reply) replace(verdictBox, `linearizability not checked: ${reply.error}`);
        else show(reply.analysis);
        done();
      };
      worker.onmessage = (e: MessageEvent<HistoryReply>) => finish(e.data);
      worker.onerror = (e) => finish({ error: e.message || 'the history worker failed (see the browser console)' });
      worker.postMessage(ops);
    }));

  const show = (a: HistoryAnalysis): void => {
    if (store.model !== model) return; // a panel of a trace no longer shown
    analysis = a;
    const f = a.failure;
    const keys = a.partitions.map((p) => p.key);
    key = f?.key ?? keys[0];
    replace(keySel, ...a.partitions.map((p) => el('option', { attrs: { value: p.key } }, `${p.key === '' ? '(all)' : p.key} · ${p.ops.length} ops${p.verdict === 'not-linearizable' ? ' · NOT linearizable' : ''}`)));
    if (key !== undefined) keySel.value = key;
    keyRow.classList.toggle('hidden', keys.length < 2);
    if (f) {
      const stuck = ops[f.stuck]!;
      store.highlight = [...new Set([...f.core, f.stuck])].flatMap((i) => [ops[i]!.invokeSeq, ...(ops[i]!.returnSeq !== undefined ? [ops[i]!.returnSeq] : [])]);
      store.emit('highlight');
      replace(
        verdictBox,
        el('strong', { class: 'bad' }, `not linearizable (${a.model} model)`),
        ` on key ${f.key === '' ? '(all)' : f.key}: the longest linearizable prefix has ${f.prefix.length} operations; op ${stuck.op} (${stuck.process} ${shortOp(stuck)}) cannot be placed after it; minimal failing core: ${f.core.map((i) => `op ${ops[i]!.op}`).join(', ')}${f.coreMinimal ? '' : ' (not proven minimal)'}. `,
        el('button', { testid: 'history-jump', title: 'move the cursor to the operation that cannot be placed, and zoom the diagram to the failing core', onclick: jumpToCause }, 'jump to cause'),
      );
    } else if (a.verdict === 'linearizable') {
      replace(verdictBox, el('strong', { class: 'good' }, `linearizable (${a.model} model)`), `: ${a.partitions.length} key${a.partitions.length === 1 ? '' : 's'}, the linearization found is numbered on the bars`);
    } else if (a.verdict === 'unknown') {
      replace(verdictBox, `linearizability not decided: the search budget ran out (${a.steps} model steps)`);
    } else {
      replace(verdictBox, a.verdict === 'no-model' ? `no linearizability model for these operations${a.problem ? ` (${a.problem})` : ` (${[...new Set(ops.map((o) => o.f))].join(', ')})`}` : 'no operations');
    }
    panel.update();
  };

  const roleOf = (p: PartitionView | undefined): Map<number, Role> => {
    const roles = new Map<number, Role>();
    if (!p) return roles;
    for (const i of p.ops) roles.set(i, 'unplaced');
    for (const i of p.order) roles.set(i, 'placed');
    const f = analysis?.failure;
    if (f && f.key === p.key) {
      for (const i of f.concurrent) roles.set(i, 'concurrent');
      for (const i of f.core) if (!p.order.includes(i)) roles.set(i, 'core');
      roles.set(f.stuck, 'stuck');
    }
    return roles;
  };

  const draw = (p: PartitionView | undefined, t0: number, t1: number, cursorT: number): SVGSVGElement | HTMLElement => {
    // Every operation on the key, also those the model ignores (a failed write constrains nothing, but it happened).
    let onKey = p ? ops.flatMap((o, i) => ((o.key ?? '') === p.key ? [i] : [])) : ops.map((_, i) => i);
    if (p && onKey.length === 0) onKey = p.ops;
    const shown = onKey.filter((i) => ops[i]!.invokeT <= t1 && (ops[i]!.returnT ?? model.endT) >= t0);
    if (shown.length > MAX_BARS) return el('div', { class: 'muted small' }, `${shown.length} operations of this key in view: zoom the diagram in to see them as bars`);
    const processes: string[] = [];
    for (const i of shown) if (!processes.includes(ops[i]!.process)) processes.push(ops[i]!.process);
    processes.sort();
    const x = scaleLinear()
      .domain([t0, Math.max(t0 + 1, t1)])
      .range([LABEL_W, WIDTH - 6])
      .clamp(true);
    const h = Math.max(1, processes.length) * ROW_H + 16;
    const root = svg('svg', { width: WIDTH, height: h, class: 'timeline history' });
    const rowOf = new Map(processes.map((pr, i) => [pr, i]));
    processes.forEach((pr, r) => {
      root.appendChild(svg('text', { x: 2, y: r * ROW_H + 14, class: 'tl-label' }, pr));
      root.appendChild(svg('line', { x1: LABEL_W, x2: WIDTH - 6, y1: r * ROW_H + 10, y2: r * ROW_H + 10, stroke: '#e3e6ea' }));
    });
    const roles = roleOf(p);
    const orderPos = new Map((p?.order ?? []).map((i, k) => [i, k]));
    for (const i of shown) {
      const o = ops[i]!;
      const r = rowOf.get(o.process)!;
      const outcome = o.outcome ?? 'pending';
      const a = x(o.invokeT);
      const b = Math.max(a + 3, x(o.returnT ?? model.endT));
      const role = roles.get(i) ?? 'placed';
      const color = OUTCOME_COLORS[outcome] as string;
      const stroke = role === 'stuck' || role === 'core' ? '#b00000' : role === 'concurrent' ? '#e6a000' : color;
      const g = svg('g', { 'data-testid': `history-op-${o.op}`, 'data-role': role, class: `hop hop-${role}` });
      g.appendChild(svg('title', {}, `${describeOp(o)}${role === 'stuck' ? '\ncannot be placed after the longest linearizable prefix' : role === 'core' ? '\nin the minimal failing core' : role === 'concurrent' ? '\nconcurrent with the operation that cannot be placed' : ''}`));
      g.appendChild(
        svg('rect', {
          x: a,
          y: r * ROW_H + 3,
          width: b - a,
          height: ROW_H - 7,
          rx: 2,
          fill: role === 'core' || role === 'stuck' ? '#f4c7c3' : color,
          'fill-opacity': role === 'core' || role === 'stuck' ? 0.9 : outcome === 'pending' || outcome === 'info' ? 0.25 : 0.55,
          stroke,
          'stroke-width': role === 'stuck' ? 3 : role === 'core' || role === 'concurrent' ? 2 : 1,
          'stroke-dasharray': outcome === 'pending' || outcome === 'info' ? '3 2' : 'none',
        }),
      );
      if (b - a > 30) g.appendChild(svg('text', { x: a + 3, y: r * ROW_H + 14, class: 'tl-seg' }, shortOp(o)));
      g.addEventListener('click', () => store.setCursor(o.returnSeq ?? o.invokeSeq));
      root.appendChild(g);
    }
    // The linearization (or the longest prefix): a numbered point in each bar, joined in order.
    if (p && p.order.length > 0) {
      const pts: string[] = [];
      p.order.forEach((i, k) => {
        const o = ops[i]!;
        const r = rowOf.get(o.process);
        const t = p.points[k]!;
        if (r === undefined || t < t0 || t > t1) return;
        pts.push(`${x(t)},${r * ROW_H + 10}`);
      });
      if (pts.length > 1) root.appendChild(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: '#333', 'stroke-width': 1, 'stroke-opacity': 0.6 }));
      p.order.forEach((i, k) => {
        const o = ops[i]!;
        const r = rowOf.get(o.process);
        const t = p.points[k]!;
        if (r === undefined || t < t0 || t > t1) return;
        const g = svg('g', { 'data-testid': 'history-point', 'data-op': o.op, 'data-order': k + 1 });
        g.appendChild(svg('title', {}, `#${k + 1} in the ${p.verdict === 'linearizable' ? 'linearization' : 'longest linearizable prefix'}: op ${o.op} takes effect here`));
        g.appendChild(svg('circle', { cx: x(t), cy: r * ROW_H + 10, r: 3.5, fill: '#111' }));
        if (orderPos.size <= 60) g.appendChild(svg('text', { x: x(t) + 4, y: r * ROW_H + 8, class: 'tl-seg' }, String(k + 1)));
        root.appendChild(g);
      });
    }
    const cx = x(cursorT);
    root.appendChild(svg('line', { x1: cx, x2: cx, y1: 0, y2: h - 14, stroke: '#e67e22', 'stroke-width': 1.5 }));
    root.appendChild(svg('text', { x: LABEL_W, y: h - 2, class: 'tl-axis' }, fmtTick(t0)));
    root.appendChild(svg('text', { x: WIDTH - 6, y: h - 2, class: 'tl-axis', 'text-anchor': 'end' }, fmtTick(t1)));
    return root;
  };

  const panel = {
    root,
    update() {
      const ev = store.cursorEvent();
      if (!ev || store.model !== model) return; // a panel of a trace no longer shown
      // Checked once, in the history worker (the page draws meanwhile).
      if (ops.length <= CHECK_LIMIT) void analyze();
      const [t0, t1] = store.window;
      const open = ops.filter((o) => o.invokeSeq <= store.cursor && (o.returnSeq === undefined || o.returnSeq > store.cursor));
      const done = ops.filter((o) => o.returnSeq !== undefined && o.returnSeq <= store.cursor);
      const count = (k: string): number => done.filter((o) => o.outcome === k).length;
      const summary = el('div', { class: 'small', testid: 'history-summary' }, `at the cursor: ${done.length} returned (ok ${count('ok')}, fail ${count('fail')}, info ${count('info')}), ${open.length} in flight`);
      const current = el('ul', { class: 'small ops', testid: 'history-open' }, ...open.slice(0, 8).map((o) => el('li', null, describeOp(o))));
      const part = analysis?.partitions.find((p) => p.key === key);
      replace(
        body,
        summary,
        current,
        el('div', { class: 'muted small' }, 'invoke → return over the diagram window; green ok, red fail, dashed amber unknown (info), dashed grey pending; black points: where each operation takes effect, in order'),
        draw(part, t0, t1, ev.t),
      );
    },
  };
  store.on('window', () => panel.update());
  return panel;
};
