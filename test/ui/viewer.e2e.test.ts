// The viewer in a real browser (Debian's Chromium via playwright-core):
// load traces every way a user can, step the cursor, read the panels, jump to
// a violation, filter and search, export for Perfetto, show broken traces
// clearly, keep hostile text inert, and run a scenario live in the page with
// the same trace hash as in Node.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MemorySink } from '../../sim/engine/trace.ts';
import { loadAllScenarios, loadScenario } from '../../sim/cli/scenarios.ts';
import { prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { REPO_ROOT, serveViewer } from '../../sim/cli/commands/view.ts';
import { HAVE_CHROMIUM, newPage, openTrace, RESULTS, startHarness, type Harness } from './browser.ts';
import { bigTrace, faultsTrace, lockTrace, raftTrace, registerTrace, ringTrace, traceText, twopcTrace, XSS } from './synthetic.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { buildColumns, causalPastColumns } from '../../sim/trace/columns.ts';
import { searchText } from '../../ui/src/store.ts';
import { raftBands } from '../../ui/src/panels/raft.ts';
import { writeRaftTrace } from '../../sim/bench/viewer.ts';

if (!HAVE_CHROMIUM) console.warn('viewer e2e tests SKIPPED: /usr/bin/chromium is missing (install it: apt-get install -y chromium)');

const text = (page: Page, testid: string): Promise<string> => page.locator(`[data-testid="${testid}"]`).first().innerText();
const cursorDesc = (page: Page): Promise<string> => text(page, 'cursor-desc');

describe.skipIf(!HAVE_CHROMIUM)('viewer in Chromium', () => {
  let h: Harness;
  const problems: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'faultline-viewer-'));
  const raftFile = join(dir, 'raft.jsonl');

  beforeAll(async () => {
    writeFileSync(raftFile, raftTrace());
    h = await startHarness(raftFile);
  });
  afterAll(async () => {
    await h?.close();
    expect(problems).toEqual([]);
  });

  it('opens ?trace=, steps, shows Raft state, jumps to the violation, and keeps hostile text inert', async () => {
    const page = await newPage(h, problems);
    const requested: string[] = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(h.server.url);
    await page.waitForFunction(() => (window as unknown as { __faultline?: { loaded?: string } }).__faultline?.loaded !== undefined);
    expect(await text(page, 'trace-scenario')).toBe('raft-synthetic');
    expect(requested.filter((p) => p.includes('favicon'))).toEqual([]); // the page names its (empty) icon: no 404
    await page.waitForSelector('[data-testid=trace-hash][data-verified=ok]');

    // Step with the buttons and the keyboard.
    expect(await cursorDesc(page)).toMatch(/^#0 /);
    await page.click('[data-testid=next]');
    await page.click('[data-testid=next]');
    expect(await cursorDesc(page)).toMatch(/^#2 .*n3 start/);
    await page.keyboard.press('ArrowRight');
    expect(await cursorDesc(page)).toMatch(/^#3 /);
    await page.click('[data-testid=prev]');
    expect(await cursorDesc(page)).toMatch(/^#2 /);
    await page.keyboard.press('End');
    expect(await cursorDesc(page)).toMatch(/^#26 .*heal/);

    // Jump to the violation's cause: n3's state after it claimed leadership in term 1.
    expect(await text(page, 'violation-0')).toContain('election-safety');
    await page.click('[data-testid=jump-violation-0]');
    expect(await cursorDesc(page)).toMatch(/^#23 .*n3 state/);
    await page.waitForFunction(() => location.hash === '#e=23'); // the cursor is in the URL, to share
    expect(await text(page, 'raft-role-n1')).toBe('leader');
    expect(await text(page, 'raft-role-n3')).toBe('leader');
    expect(await text(page, 'raft-term-n3')).toBe('1');
    expect(await text(page, 'raft-commit-n1')).toBe('1');
    expect(await text(page, 'status-n2')).toBe('up');
    expect(await page.locator('[data-testid=raft-log] td.cell.committed').count()).toBe(2); // n1 and n2 committed index 1
    // n3's index 1 (term 1, "put k9=9") contradicts n1's and n2's (term 1, "put k1=1"): Log Matching broken.
    expect(await page.locator('[data-testid=raft-log] td.cell.mismatch').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-index')))).toEqual(['1', '1', '1']);
    expect(await page.locator('[data-testid=raft-log] td.cell.diverge').count()).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'viewer-raft.png'), fullPage: true });

    // A delivery at the cursor shows the message it delivered and its life.
    await page.locator('[data-testid=scrubber]').fill('14');
    expect(await text(page, 'cursor-message')).toBe('message #3 n2 → n1, sent 300µs (event #11), delivered at 600µs after 300µs: duplicate of #2');
    await page.locator('[data-testid=scrubber]').fill('9');
    expect(await text(page, 'cursor-message')).toBe('message #0 n1 → n2, sent 100µs (event #6), delivered at 300µs after 200µs: {"type":"RequestVote","term":1}');

    // Before n3 restarted it was down; while n2 was paused, paused.
    await page.locator('[data-testid=scrubber]').fill('17');
    expect(await text(page, 'status-n3')).toBe('down');
    await page.locator('[data-testid=scrubber]').fill('21');
    expect(await text(page, 'status-n2')).toBe('paused');

    // The XSS payload is in a message, a log line, a command and the violation: all shown as text, nothing injected.
    expect(await text(page, 'violation-0')).toContain(XSS);
    await page.fill('[data-testid=search]', 'onerror');
    await page.waitForFunction(() => /^\d+ of/.test(document.querySelector('[data-testid=event-count]')?.textContent ?? '') && !document.querySelector('[data-testid=event-count]')?.textContent?.startsWith('27 '));
    const rows = await page.locator('[data-testid=events] .row').allInnerTexts();
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.every((r) => r.includes(XSS))).toBe(true);
    expect(await page.locator('img').count()).toBe(0);
    await page.close();
  });

  it('opens at the event named in the URL fragment, and V jumps to the next violation', async () => {
    const page = await newPage(h, problems);
    await page.goto(`${h.server.url}#e=17`);
    await page.waitForFunction(() => (window as unknown as { __faultline?: { loaded?: string } }).__faultline?.loaded !== undefined);
    expect(await cursorDesc(page)).toMatch(/^#17 .*n1 → n2 deliver #4/);
    await page.keyboard.press('v');
    expect(await cursorDesc(page)).toMatch(/^#23 /);

    // Causal past (C): the rows of the events that happened-before the cursor are marked.
    await page.click('[data-testid=events] .row[data-seq="17"]');
    await page.keyboard.press('c');
    const seqs = (sel: string): Promise<number[]> => page.locator(sel).evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-seq'))));
    const rendered = await seqs('[data-testid=events] .row');
    const past = new Set([0, 1, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15]); // see trace-model.test.ts
    const causal = await seqs('[data-testid=events] .row.causal');
    expect(causal).toEqual(rendered.filter((s) => past.has(s)));
    expect(causal.length).toBeGreaterThan(5);
    await page.keyboard.press('c');
    expect(await page.locator('[data-testid=events] .row.causal').count()).toBe(0);

    // Clicking a row of the event list moves the cursor there.
    await page.click('[data-testid=events] .row[data-seq="20"]');
    expect(await cursorDesc(page)).toMatch(/^#20 /);

    // Play advances the cursor on its own; Space pauses.
    // At 0.001x the 1.5ms run takes 1.5s.
    await page.selectOption('[data-testid=speed]', '0.001');
    await page.keyboard.press('Home');
    await page.click('[data-testid=play]');
    expect(await text(page, 'play')).toContain('pause');
    await page.waitForFunction(() => !/^#0 /.test(document.querySelector('[data-testid=cursor-desc]')?.textContent ?? ''));
    await page.locator('body').press(' ');
    expect(await text(page, 'play')).toContain('play');
    const stopped = await cursorDesc(page);
    await page.waitForTimeout(150);
    expect(await cursorDesc(page)).toBe(stopped);
    await page.close();
  });

  it('zooms with the wheel, pans by dragging, and brushes the overview', async () => {
    const page = await newPage(h, problems);
    await page.goto(h.base);
    await openTrace(page, 'raft.jsonl', raftTrace());
    const win = (): Promise<[number, number]> => page.evaluate(() => (window as unknown as { __faultline: { store: { window: [number, number] } } }).__faultline.store.window);
    expect(await win()).toEqual([0, 1500]);
    const box = (await page.locator('[data-testid=diagram] canvas.overlay').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction(() => {
      const [a, b] = (window as unknown as { __faultline: { store: { window: [number, number] } } }).__faultline.store.window;
      return b - a < 1000;
    });
    const [z0, z1] = await win();
    expect(z0).toBeGreaterThan(0);
    expect(z1).toBeLessThan(1500);
    // Drag right: the window moves earlier in time, same width.
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    const [p0, p1] = await win();
    expect(p0).toBeLessThan(z0);
    expect(p1 - p0).toBeCloseTo(z1 - z0, 3);
    // Back to the whole run (0), then brush the third quarter of the overview: the diagram shows that span.
    await page.keyboard.press('0');
    expect(await win()).toEqual([0, 1500]);
    const ov = (await page.locator('[data-testid=overview] svg').boundingBox())!;
    const left = ov.x + 70;
    const right = ov.x + ov.width - 16;
    await page.mouse.move(left + (right - left) * 0.5, ov.y + 20);
    await page.mouse.down();
    await page.mouse.move(left + (right - left) * 0.75, ov.y + 20, { steps: 5 });
    await page.mouse.up();
    const [b0, b1] = await win();
    expect(b0).toBeCloseTo(750, -1);
    expect(b1).toBeCloseTo(1125, -1);
    await page.close();
  });

  it('filters events by node and message type', async () => {
    const page = await newPage(h, problems);
    await page.goto(h.base);
    await openTrace(page, 'raft.jsonl', raftTrace());
    expect(await text(page, 'event-count')).toBe('27 of 27 events');
    await page.click('[data-testid=type-chip-RequestVote] input');
    await page.waitForFunction(() => document.querySelector('[data-testid=event-count]')?.textContent === '23 of 27 events');
    await page.click('[data-testid=node-chip-n3] input');
    // n3's start, crash, restart, state, log go too, and the message n1->n3 is already hidden by type.
    await page.waitForFunction(() => document.querySelector('[data-testid=event-count]')?.textContent === '18 of 27 events');
    const rows = await page.locator('[data-testid=events] .row .desc').allInnerTexts();
    // Only cluster-wide events (the partition, the violation) may still name n3.
    expect(rows.filter((r) => /RequestVote"/.test(r) || /^n3 |n3 →|→ n3/.test(r))).toEqual([]);
    // Stepping respects the filters: from #0, next skips n3's start. (The keys work with focus on a filter checkbox.)
    await page.evaluate(() => (window as unknown as { __faultline: { store: { setCursor(s: number): void } } }).__faultline.store.setCursor(10));
    await page.keyboard.press('Home');
    expect(await cursorDesc(page)).toMatch(/^#0 /);
    await page.click('[data-testid=next]');
    await page.click('[data-testid=next]');
    expect(await cursorDesc(page)).toMatch(/^#3 /);
    await page.close();
  });

  it('shows the lock, two-phase commit and ring panels from their published state shapes', async () => {
    const page = await newPage(h, problems);
    await page.goto(h.base);
    await openTrace(page, 'lock.jsonl', lockTrace());
    await page.keyboard.press('End');
    expect(await text(page, 'lock-holder-L')).toBe('c2');
    const c2 = await text(page, 'lock-client-c2');
    // c2's clock runs 5ms ahead: its deadline 27ms on its clock is 22ms in true time.
    expect(c2).toContain('27ms');
    expect(c2).toContain('22ms');
    expect(await text(page, 'lock-resource-r1')).toMatch(/r1\s+2\s+2\s+1/);
    expect(await text(page, 'history-summary')).toBe('at the cursor: 2 returned (ok 2, fail 0, info 0), 1 in flight');
    expect(await text(page, 'history-open')).toBe('op 2: c1 write L x, invoked at 13.5ms on c1 → pending at the end (unknown outcome)');
    expect(await page.locator('[data-testid=panel-history] svg rect').count()).toBe(3);
    await page.screenshot({ path: join(RESULTS, 'viewer-lock.png'), fullPage: true });

    // Drag and drop a two-phase commit trace onto the page.
    const twopc = twopcTrace();
    await page.evaluate((body) => {
      const dt = new DataTransfer();
      dt.items.add(new File([body], 'twopc.jsonl'));
      document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, twopc);
    await page.waitForFunction(() => (window as unknown as { __faultline?: { loaded: string } }).__faultline?.loaded === 'twopc.jsonl');
    await page.locator('[data-testid=scrubber]').fill('6');
    expect(await text(page, 'tx-t1-co')).toBe('committing');
    expect(await text(page, 'tx-t1-p2')).toBe('prepared (in doubt)');
    await page.keyboard.press('End');
    expect(await text(page, 'tx-t1-p2')).toBe('committed');
    expect(await text(page, 'twopc-balance')).toContain('total 150');

    await openTrace(page, 'ring.jsonl', ringTrace());
    await page.keyboard.press('End');
    expect(await text(page, 'ring-keys-c')).toBe('20');
    expect(await text(page, 'ring-row-a')).toContain('→ c: 3 keys');
    // weights 1, 1, 2 at the trace's 8 points per unit: the protocol's 32 virtual nodes drawn
    expect(await page.locator('[data-testid=ring-circle] circle[r="3"]').count()).toBe(32);
    expect(await text(page, 'ring-layout')).toContain("the protocol's 8 virtual nodes per unit of weight");
    await page.close();
  });

  it('shows the protocol panel for a real run of each protocol in scenarios/', async () => {
    const panelOf: Record<string, string> = { raft: 'panel-raft', ring: 'panel-ring', lock: 'panel-lock', twopc: 'panel-twopc' };
    const seen = new Set<string>();
    const page = await newPage(h, problems);
    await page.goto(h.base);
    for (const { file, scenario } of await loadAllScenarios()) {
      const panel = panelOf[scenario.protocol];
      if (!panel || seen.has(scenario.protocol)) continue;
      seen.add(scenario.protocol);
      const sink = new MemorySink();
      runPrepared(prepareRun(scenario, { file }), { trace: sink });
      await openTrace(page, `${scenario.name}.jsonl`, sink.text());
      expect(await page.locator('[data-testid=error]').count()).toBe(0);
      await page.keyboard.press('End');
      expect(await page.locator(`[data-testid=${panel}]`).count(), `${scenario.name} shows ${panel}`).toBe(1);
      expect(await text(page, panel)).not.toBe('');
    }
    expect(seen.size).toBeGreaterThan(0);
    await page.close();
  });

  it('shows a protocol with no panel of its own in the generic state panel: fields per node, the changed ones marked', async () => {
    const page = await newPage(h, problems);
    await page.goto(h.base);
    const nodes = ['a', 'b'].map((id) => ({ id, role: 'worker' }));
    const trace = traceText({ scenario: 'tiny', protocol: 'tiny-counter', nodes }, [
      { t: 0, type: 'start', node: 'a' },
      { t: 0, type: 'start', node: 'b' },
      { t: 1, type: 'state', node: 'a', state: { count: 1, phase: 'gather', peers: ['b'] } },
      { t: 2, type: 'state', node: 'b', state: { count: 0, phase: 'gather', peers: ['a'] } },
      { t: 3, type: 'state', node: 'a', state: { count: 2, phase: 'gather', peers: ['b'] } },
      { t: 4, type: 'state', node: 'a', state: { count: 2, phase: 'done', peers: ['b'], note: XSS } },
    ]);
    await openTrace(page, 'tiny.jsonl', trace);
    expect(await page.locator('[data-testid=panel-state]').count()).toBe(1);
    expect(await page.locator('[data-testid=panel-raft]').count()).toBe(0);
    const cell = (n: string, f: string): Promise<string> => text(page, `gstate-${n}-${f}`);
    const changed = (n: string, f: string): Promise<boolean> => page.locator(`[data-testid="gstate-${n}-${f}"]`).evaluate((e) => e.classList.contains('changed-cell'));
    await page.locator('[data-testid=scrubber]').fill('4');
    expect(await cell('a', 'count')).toBe('2');
    expect(await cell('b', 'count')).toBe('0');
    expect(await cell('a', 'peers')).toBe('["b"]');
    expect(await changed('a', 'count')).toBe(true);
    expect(await changed('a', 'phase')).toBe(false);
    await page.locator('[data-testid=scrubber]').fill('5');
    expect(await cell('a', 'phase')).toBe('done');
    expect(await changed('a', 'phase')).toBe(true);
    expect(await changed('a', 'count')).toBe(false);
    // A field only one node has: the other's cell is empty; hostile text stays text.
    expect(await cell('b', 'note')).toBe('');
    expect(await cell('a', 'note')).toBe(XSS);
    // Back before a's second publish: the table follows the cursor.
    await page.locator('[data-testid=scrubber]').fill('2');
    expect(await cell('a', 'count')).toBe('1');
    expect(await text(page, 'panel-state')).not.toContain('done');
    await page.close();
  });

  it('picks panels by protocol name: a Raft trace whose states are not Raft-shaped gets the generic panel, not a broken Raft panel', async () => {
    const page = await newPage(h, problems);
    await page.goto(h.base);
    const trace = traceText({ scenario: 'odd-raft', protocol: 'raft', nodes: [{ id: 'n1', role: 'server' }] }, [
      { t: 0, type: 'start', node: 'n1' },
      { t: 1, type: 'state', node: 'n1', state: { mood: 'fine' } },
    ]);
    await openTrace(page, 'odd-raft.jsonl', trace);
    await page.keyboard.press('End');
    expect(await page.locator('[data-testid=panel-raft]').count()).toBe(0);
    expect(await text(page, 'gstate-n1-mood')).toBe('fine');
    expect(await text(page, 'legend')).not.toContain('Raft leader');
    await page.close();
  });

  it('says what is wrong and where for malformed and truncated traces, never a blank page', async () => {
    const page = await newPage(h, problems);
    await page.goto(h.base);
    const lines = raftTrace().split('\n');
    lines[5] = '{"seq":4,"t":100,"type":"timer","node":"n1"';
    await page.setInputFiles('[data-testid=file]', { name: 'broken.jsonl', mimeType: 'text/plain', buffer: Buffer.from(lines.join('\n')) });
    await page.waitForSelector('[data-testid=error]');
    expect(await text(page, 'error')).toMatch(/broken\.jsonl: line 6: not valid JSON/);
    expect(await page.locator('[data-testid=empty]').isVisible()).toBe(true);

    await page.setInputFiles('[data-testid=file]', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello\n') });
    await page.waitForFunction(() => /notes\.txt: line 1/.test(document.querySelector('[data-testid=error]')?.textContent ?? ''));

    const cut = raftTrace().slice(0, raftTrace().indexOf('"type":"crash"') + 5);
    await openTrace(page, 'cut.jsonl', cut);
    expect(await text(page, 'warning')).toMatch(/truncated: line 18 is cut off mid-line; showing the 16 events/);
    expect(await text(page, 'trace-hash')).toContain('none (truncated)');

    // A run with no events at all is shown, not an error.
    await openTrace(page, 'nothing.jsonl', traceText({ nodes: [{ id: 'n1', role: 'server' }] }, []));
    expect(await text(page, 'event-count')).toBe('0 of 0 events');
    expect(await page.locator('[data-testid=error]').count()).toBe(0);

    await openTrace(page, 'edited.jsonl', raftTrace().replace('put k1=1', 'put k1=2'));
    await page.waitForSelector('[data-testid=trace-hash][data-verified=mismatch]');
    expect(await text(page, 'trace-hash')).toContain('MISMATCH');
    expect(await text(page, 'warning')).toContain('the trace hash does not match its end line');

    const missing = await newPage(h, problems);
    await missing.goto(`${h.base}?trace=trace/nope.jsonl`);
    await missing.waitForSelector('[data-testid=error]');
    expect(await text(missing, 'error')).toMatch(/trace\/nope\.jsonl[\s\S]*HTTP 404/);
    await missing.close();
    await page.close();
  });

  it('draws the history per key as Porcupine does: linearization points, or the prefix, the stuck operation and the core; jump to cause goes to the operations', async () => {
    const page = await newPage(h, problems);
    await page.goto(h.base);
    await openTrace(page, 'register.jsonl', registerTrace());
    await page.waitForFunction(() => /not linearizable/.test(document.querySelector('[data-testid=history-verdict]')?.textContent ?? ''));
    const verdict = await text(page, 'history-verdict');
    expect(verdict).toContain('on key x');
    expect(verdict).toContain('op 2 (c3 read→2) cannot be placed');
    // Key x: the write and the first read are the longest prefix (points 1, 2); the wrong read is stuck and in the core.
    expect(await page.locator('[data-testid=history-op-2]').getAttribute('data-role')).toBe('stuck');
    expect(await page.locator('[data-testid=history-point]').evaluateAll((ps) => ps.map((p) => [p.getAttribute('data-op'), p.getAttribute('data-order')]))).toEqual([
      ['0', '1'],
      ['1', '2'],
    ]);
    // Jump to cause: the cursor goes to the stuck read's return (not the end-of-run check), the window to the core.
    await page.keyboard.press('End');
    await page.click('[data-testid=history-jump]');
    expect(await cursorDesc(page)).toMatch(/^#8 .*c3 return op 2/);
    const [w0, w1] = await page.evaluate(() => (window as unknown as { __faultline: { store: { window: [number, number] } } }).__faultline.store.window);
    expect(w0).toBeLessThanOrEqual(500);
    expect(w1).toBeGreaterThanOrEqual(600);
    expect(w1 - w0).toBeLessThan(1000);
    // The violation's own button does the same.
    await page.keyboard.press('End');
    await page.click('[data-testid=jump-violation-0]');
    expect(await cursorDesc(page)).toMatch(/^#8 /);
    // Key y is linearizable: the write takes effect before the read, both inside their bars.
    await page.keyboard.press('0');
    await page.selectOption('[data-testid=history-key]', 'y');
    expect(await page.locator('[data-testid=history-point]').evaluateAll((ps) => ps.map((p) => [p.getAttribute('data-op'), p.getAttribute('data-order')]))).toEqual([
      ['3', '1'],
      ['4', '2'],
    ]);
    expect(await page.locator('[data-testid=panel-history] [data-role=stuck]').count()).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'viewer-history.png'), fullPage: true });
    await page.close();
  });

  it("shows the state of the nodes before and after a violation's causing event, side by side", async () => {
    const page = await newPage(h, problems);
    await page.goto(h.base);
    await openTrace(page, 'raft.jsonl', raftTrace());
    // Cause #23: n3 publishes itself leader of term 1 while n1 is.
    const n3 = await text(page, 'violation-state-0-n3');
    expect(n3).toContain('changed role');
    // n3 had published nothing before (it had just restarted): before is empty, after is the leader state.
    expect(n3).toMatch(/before[\s\S]*nothing published yet[\s\S]*after[\s\S]*role: "leader"[\s\S]*term: 1/);
    await page.close();
  });

  it('names every message type in its own colour, draws loss bursts, corruption and quiesce with labels that never overlap, and keeps the width', async () => {
    const page = await newPage(h, problems);
    await page.goto(h.base);
    await openTrace(page, 'faults.jsonl', faultsTrace());
    const colours = await page.locator('[data-testid^=legend-type-] .swatch').evaluateAll((ss) => ss.map((s) => (s as HTMLElement).style.background));
    expect(colours.length).toBe(12);
    expect(new Set(colours).size).toBe(12);
    const legend = await text(page, 'legend');
    expect(legend).toContain('loss burst');
    expect(legend).toContain('disk corruption');
    expect(legend).toContain('quiesce');
    expect(legend).not.toContain('Raft leader');
    // Not a scenario of scenarios/: the drop-down says so instead of showing another one.
    await page.waitForFunction(() => (document.querySelector('[data-testid=scenario] option:checked')?.textContent ?? '').includes('faults-synthetic'));
    type Placed = { text: string; x: number; row: number; width: number };
    const labels = await page.evaluate(() => (window as unknown as { __faultline: { diagram: { labels: { placed: Placed[]; hidden: number } } } }).__faultline.diagram.labels);
    expect(labels.placed.map((l) => l.text).sort()).toEqual(['loss burst 30%', 'partition a | b,c,d', 'partition b | a,c,d', 'partition c | a,b,d', 'quiesce']);
    for (const a of labels.placed) for (const b of labels.placed) if (a !== b && a.row === b.row) expect(a.x + a.width <= b.x || b.x + b.width <= a.x, `${a.text} overlaps ${b.text}`).toBe(true);
    // Scrubbing end to end never changes the diagram's width (so the time axis stays put).
    const width = (): Promise<number> => page.locator('[data-testid=diagram] canvas.overlay').evaluate((c) => (c as HTMLCanvasElement).getBoundingClientRect().width);
    const w0 = await width();
    for (const at of ['0', '10', '20', '30', '40']) {
      await page.locator('[data-testid=scrubber]').fill(at);
      expect(await width()).toBe(w0);
    }
    // Animation: while playing, the messages in flight are dots.
    await page.keyboard.press('Home');
    await page.click('[data-testid=animate]');
    await page.selectOption('[data-testid=speed]', '0.001');
    await page.click('[data-testid=play]');
    await page.waitForFunction(() => ((window as unknown as { __faultline: { diagram: { animatedDots: number } } }).__faultline.diagram.animatedDots ?? 0) > 0, undefined, { timeout: 10_000 });
    await page.click('[data-testid=play]');
    // A tooltip from this trace does not stay when another is opened.
    const box = (await page.locator('[data-testid=diagram] canvas.overlay').boundingBox())!;
    // The middle of the first lane (below the axis and the fault-label band), found through laneAt.
    const laneMid = await page.evaluate((top) => {
      const d = (window as unknown as { __faultline: { diagram: { laneAt(y: number): string | undefined } } }).__faultline.diagram;
      let a = -1;
      for (let y = top; y < top + 600; y++) {
        const l = d.laneAt(y);
        if (a < 0 && l !== undefined) a = y;
        else if (a >= 0 && l !== d.laneAt(a)) return (a + y) / 2 - top;
      }
      return -1;
    }, box.y);
    expect(laneMid).toBeGreaterThan(0);
    const shown = await page.locator('[data-testid=diagram] canvas.overlay').evaluate(async (c, y) => {
      const r = c.getBoundingClientRect();
      const tip = document.querySelector('[data-testid=diagram-tip]') as HTMLElement;
      for (let x = r.left + 72; x < r.right; x += 4) {
        c.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: r.top + y, bubbles: true }));
        await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
        if (tip.style.display === 'block') return true;
      }
      return false;
    }, laneMid);
    expect(shown).toBe(true);
    await openTrace(page, 'raft.jsonl', raftTrace());
    expect(await page.locator('[data-testid=diagram-tip]').evaluate((t) => (t as HTMLElement).style.display)).toBe('none');
    await page.close();
  });

  it('crashes the Raft leader by right-click in a live run: the branch elects a new leader, and the saved scenario replays to the same hash', async () => {
    const page = await newPage(h, problems);
    await page.goto(`${h.base}?run=default&seed=7`);
    await page.waitForSelector('[data-testid=live-result]', { timeout: 60_000 });
    type Api = { __faultline: { store: { model: { states: Map<string, { seq: number; t: number; state: { role?: string; term?: number } }[]>; count: number }; setCursor(s: number): void; cursor: number }; diagram: { laneAt(y: number): string | undefined } } };
    // The first leader, just after it is elected.
    const first = await page.evaluate(() => {
      const s = (window as unknown as Api).__faultline.store;
      let best: { node: string; seq: number; t: number; term: number } | undefined;
      for (const [node, list] of s.model.states) for (const x of list) if (x.state.role === 'leader' && (!best || x.seq < best.seq)) best = { node, seq: x.seq, t: x.t, term: x.state.term ?? 0 };
      return best!;
    });
    expect(first).toBeDefined();
    await page.evaluate((seq) => (window as unknown as Api).__faultline.store.setCursor(seq + 5), first.seq);
    const cursorT = await page.evaluate(() => {
      const f = (window as unknown as Api).__faultline;
      return (f.store.model as unknown as { t: Float64Array }).t[f.store.cursor]!;
    });
    const box = (await page.locator('[data-testid=diagram] canvas.overlay').boundingBox())!;
    const y = await page.evaluate(
      ({ top, height, node }) => {
        const d = (window as unknown as Api).__faultline.diagram;
        for (let yy = top; yy < top + height; yy += 2) if (d.laneAt(yy) === node) return yy + 6;
        return -1;
      },
      { top: box.y, height: box.height, node: first.node },
    );
    expect(y).toBeGreaterThan(0);
    await page.mouse.click(box.x + box.width / 2, y, { button: 'right' });
    await page.click('[data-testid=inject-crash]');
    await page.waitForFunction((n) => (document.querySelector('[data-testid=trace-source]')?.textContent ?? '').startsWith(`branch: crash ${n}`), first.node, { timeout: 60_000 });
    await page.waitForSelector('[data-testid=save-scenario]');
    // In the branch: the old leader goes down at the cursor's time, and another server becomes leader in a later term.
    const after = await page.evaluate(
      ({ node, t }) => {
        const s = (window as unknown as Api).__faultline.store;
        const m = s.model as unknown as { intervals: { node: string; kind: string; fromT: number }[] };
        const crashed = m.intervals.some((iv) => iv.node === node && iv.kind === 'down' && iv.fromT === Math.round(t) + 1); // injected just after the cursor event (inject.ts faultSpec)
        const leaders: [string, number][] = [];
        for (const [n, list] of s.model.states) for (const x of list) if (x.state.role === 'leader' && x.t > t && n !== node) leaders.push([n, x.state.term ?? 0]);
        return { crashed, leaders };
      },
      { node: first.node, t: cursorT },
    );
    expect(after.crashed).toBe(true);
    expect(after.leaders.length).toBeGreaterThan(0);
    expect(after.leaders[0]![1]).toBeGreaterThan(first.term);
    await page.screenshot({ path: join(RESULTS, 'viewer-branch.png'), fullPage: true });
    // Save as scenario: `faultline run` of the file gives the branch's trace hash.
    const hash = await page.locator('[data-testid=trace-hash]').getAttribute('data-hash');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=save-scenario]')]);
    expect(download.suggestedFilename()).toBe('default-branch.json');
    const saved = join(dir, 'default-branch.json');
    await download.saveAs(saved);
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'faultline.js'), 'run', saved], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(/trace hash\s+([0-9a-f]{64})/.exec(run.stdout)?.[1]).toBe(hash);
    await page.close();
  });

  type StepApi = { __faultline: { store: { model: { states: Map<string, { seq: number; t: number; state: { role?: string; term?: number } }[]>; count: number; t: Float64Array; mId: Float64Array; mSendSeq: Int32Array; mEndSeq: Int32Array; msgCount: number }; setCursor(s: number): void; cursor: number }; diagram: { pointOnMessage(mi: number, t: number): { x: number; y: number } | undefined; zoomBy(f: number): void; draw(): void; aggregated: boolean } } };

  /** The first Raft leader of the loaded run: node, seq and term of its first leader state. */
  async function firstLeader(page: Page): Promise<{ node: string; seq: number; term: number }> {
    return page.evaluate(() => {
      const s = (window as unknown as StepApi).__faultline.store;
      let best: { node: string; seq: number; term: number } | undefined;
      for (const [node, list] of s.model.states) for (const x of list) if (x.state.role === 'leader' && (!best || x.seq < best.seq)) best = { node, seq: x.seq, term: x.state.term ?? 0 };
      return best!;
    });
  }

  /**
   * A live raft-leader-crash run (seed 3) at a message in flight just after the first leader is elected,
   * zoomed until messages are drawn one by one: the page, the first leader, and the message (index, id,
   * the cursor's time, the point on its line, its flight time in µs).
   */
  async function messageInFlight() {
    const page = await newPage(h, problems);
    await page.goto(`${h.base}?run=raft-leader-crash&seed=3`);
    await page.waitForSelector('[data-testid=live-result]', { timeout: 60_000 });
    const first = await firstLeader(page);
    const target = await page.evaluate((seq) => {
      const f = (window as unknown as StepApi).__faultline;
      const m = f.store.model as unknown as { msgCount: number; mId: Float64Array; mSendSeq: Int32Array; mEndSeq: Int32Array; mSendT: Float64Array; mEndT: Float64Array; t: Float64Array };
      const cursor = seq + 3;
      f.store.setCursor(cursor);
      let mi = -1;
      for (let i = 0; i < m.msgCount; i++) if (m.mSendSeq[i]! <= cursor && m.mEndSeq[i]! > cursor + 2) { mi = i; break; }
      const t = m.t[cursor]!;
      (f.store as unknown as { setWindow(a: number, b: number): void }).setWindow(t - 5000, t + 15000);
      f.diagram.draw();
      const p = f.diagram.pointOnMessage(mi, t);
      return { mi, id: m.mId[mi]!, t, p, flight: m.mEndT[mi]! - m.mSendT[mi]! };
    }, first.seq);
    return { page, first, target };
  }

  /** Wait for a branch whose source label starts with `prefix` to be loaded. */
  async function branchLoaded(page: Page, prefix: string): Promise<void> {
    await page.waitForFunction((p) => (document.querySelector('[data-testid=trace-source]')?.textContent ?? '').startsWith(`branch: ${p}`), prefix, { timeout: 60_000 });
  }

  it('step mode: crash the Raft leader by clicking its choice, then step until a new leader is elected; the saved path replays to the same hash', async () => {
    const page = await newPage(h, problems);
    await page.goto(`${h.base}?run=raft-leader-crash&seed=3`);
    await page.waitForSelector('[data-testid=live-result]', { timeout: 60_000 });
    const first = await firstLeader(page);
    expect(first).toBeDefined();
    await page.evaluate((seq) => (window as unknown as StepApi).__faultline.store.setCursor(seq + 3), first.seq);
    await page.click('[data-testid=step-start]');
    await branchLoaded(page, 'step mode from');
    await page.waitForSelector('[data-testid=step-count]');
    // The choices at the cursor name the leader's crash; click it.
    await page.click(`[data-testid=panel-step] button[data-label="crash ${first.node}"]`);
    await branchLoaded(page, `step `);
    await page.waitForFunction((n) => (document.querySelector('[data-testid=trace-source]')?.textContent ?? '').includes(`crash ${n}`), first.node);
    const newLeader = async (): Promise<[string, number] | undefined> =>
      page.evaluate(
        ({ node, term }) => {
          const s = (window as unknown as StepApi).__faultline.store;
          for (const [n, list] of s.model.states) for (const x of list) if (n !== node && x.state.role === 'leader' && (x.state.term ?? 0) > term) return [n, x.state.term ?? 0] as [string, number];
          return undefined;
        },
        { node: first.node, term: first.term },
      );
    // Step by hand: deliver what is in flight, else fire an election timer, else any timer.
    let steps = 0;
    let leader = await newLeader();
    while (!leader && steps < 80) {
      const labels = await page.locator('[data-testid=panel-step] button.step-choice').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-label') ?? ''));
      const pick = labels.find((l) => l.startsWith('deliver ')) ?? labels.find((l) => / election$/.test(l)) ?? labels.find((l) => l.startsWith('timer '));
      expect(pick, `a choice among ${labels.join('; ')}`).toBeDefined();
      const before = await page.locator('[data-testid=step-count]').textContent();
      await page.click(`[data-testid=panel-step] button[data-label="${pick!}"]`);
      await page.waitForFunction((b) => { const c = document.querySelector('[data-testid=step-count]')?.textContent; return c !== undefined && c !== null && c !== b; }, before, { timeout: 60_000 });
      steps++;
      leader = await newLeader();
    }
    expect(leader, `a new leader after ${steps} steps`).toBeDefined();
    expect(leader![0]).not.toBe(first.node);
    await page.screenshot({ path: join(RESULTS, 'viewer-step-mode.png'), fullPage: true });
    const hash = await page.locator('[data-testid=trace-hash]').getAttribute('data-hash');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=save-scenario]')]);
    const saved = join(dir, download.suggestedFilename());
    await download.saveAs(saved);
    const doc = JSON.parse(readFileSync(saved, 'utf8')) as { schedule: string[] };
    expect(doc.schedule).toContain(`crash ${first.node}`);
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'faultline.js'), 'run', saved], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(/trace hash\s+([0-9a-f]{64})/.exec(run.stdout)?.[1]).toBe(hash);
    await page.close();
  });

  it('drops one message in flight by right-clicking its line: the run goes on without it', async () => {
    const { page, first, target } = await messageInFlight();
    expect(target.mi).toBeGreaterThanOrEqual(0);
    expect(target.p).toBeDefined();
    await page.mouse.click(target.p!.x, target.p!.y, { button: 'right' });
    await page.click('[data-testid=inject-drop]');
    await branchLoaded(page, 'drop ');
    const fate = await page.evaluate((id) => {
      const m = (window as unknown as StepApi).__faultline.store.model as unknown as { msgCount: number; mId: Float64Array; mOutcome: Uint8Array; count: number };
      for (let i = 0; i < m.msgCount; i++) if (m.mId[i] === id) return { outcome: m.mOutcome[i], count: m.count };
      return undefined;
    }, target.id);
    expect(fate?.outcome).toBe(2); // OUTCOME.dropped
    expect(fate!.count).toBeGreaterThan(first.seq + 100);
    await page.close();
  });

  it('delays one message in flight by right-clicking its line: it arrives no sooner than the delay after its send', async () => {
    const { page, first, target } = await messageInFlight();
    expect(target.mi).toBeGreaterThanOrEqual(0);
    expect(target.p).toBeDefined();
    const byMs = 300;
    // Without the delay it arrives sooner than that.
    expect(target.flight).toBeLessThan(byMs * 1000);
    await page.mouse.click(target.p!.x, target.p!.y, { button: 'right' });
    await page.fill('[data-testid=delay-ms]', String(byMs));
    await page.click('[data-testid=inject-delay]');
    await branchLoaded(page, 'delay ');
    const fate = await page.evaluate((id) => {
      const m = (window as unknown as StepApi).__faultline.store.model as unknown as { msgCount: number; mId: Float64Array; mOutcome: Uint8Array; mSendT: Float64Array; mEndT: Float64Array; count: number };
      for (let i = 0; i < m.msgCount; i++) if (m.mId[i] === id) return { outcome: m.mOutcome[i], flight: m.mEndT[i]! - m.mSendT[i]!, count: m.count };
      return undefined;
    }, target.id);
    expect(fate?.outcome).toBe(1); // OUTCOME.delivered
    expect(fate!.flight).toBeGreaterThanOrEqual(byMs * 1000);
    expect(fate!.count).toBeGreaterThan(first.seq + 100);
    await page.close();
  });

  it('compares two runs: the second drawn under the first on the same window, the first differing event marked in both', async () => {
    const page = await newPage(h, problems);
    await page.goto(h.base);
    await openTrace(page, 'raft.jsonl', raftTrace());
    const other = raftTrace().replace('{"seq":14,"t":600,"type":"deliver","id":3,"from":"n2","to":"n1"}', '{"seq":14,"t":600,"type":"drop","id":3,"from":"n2","to":"n1","reason":"loss"}');
    expect(other).not.toBe(raftTrace());
    expect(await page.locator('[data-testid=compare-open]').isVisible()).toBe(true);
    await page.setInputFiles('[data-testid=compare-file]', { name: 'raft-other.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(other) });
    await page.waitForSelector('[data-testid=compare-first-diff]');
    expect(await text(page, 'compare-first-diff')).toBe('event #14');
    await page.waitForFunction(() => /drop #3/.test(document.querySelector('[data-testid=compare-diff-below]')?.textContent ?? ''));
    expect(await text(page, 'compare-diff-above')).toContain('deliver #3');
    expect(await cursorDesc(page)).toMatch(/^#14 /);
    // One window: zooming the first zooms the second.
    await page.keyboard.press('+');
    const wins = await page.evaluate(() => {
      const f = (window as unknown as { __faultline: { store: { window: number[] }; compare: { store: { window: number[] } } } }).__faultline;
      return [f.store.window, f.compare.store.window];
    });
    expect(wins[0]![1]! - wins[0]![0]!).toBeLessThan(1500);
    expect(wins[1]).toEqual(wins[0]);
    // The same trace twice: no difference.
    await page.setInputFiles('[data-testid=compare-file]', { name: 'raft-same.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(raftTrace()) });
    await page.waitForFunction(() => /same events/.test(document.querySelector('[data-testid=compare-first-diff]')?.textContent ?? ''));
    await page.close();
  });

  it('exports the trace in Chrome trace event format', async () => {
    const page = await newPage(h, problems);
    await page.goto(h.base);
    await openTrace(page, 'raft.jsonl', raftTrace());
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export]')]);
    expect(download.suggestedFilename()).toBe('raft-synthetic-seed1.chrome-trace.json');
    const json = JSON.parse(readFileSync(await download.path(), 'utf8')) as { traceEvents: { ph: string; name: string }[] };
    expect(json.traceEvents.filter((e) => e.ph === 's').length).toBe(4);
    expect(json.traceEvents.some((e) => e.name === 'violation: election-safety')).toBe(true);
    await page.close();
  });

  it.each([
    ['default', '7'],
    ['raft-leader-crash', '3'],
  ])('runs %s live in the page (seed %s): same trace hash as Node', async (name, seed) => {
    const { file, scenario } = await loadScenario(name);
    const node = runPrepared(prepareRun(scenario, { file, seed }));
    const page = await newPage(h, problems);
    await page.goto(`${h.base}?run=${name}&seed=${seed}`);
    await page.waitForSelector('[data-testid=live-result]', { timeout: 30_000 });
    const hash = await page.locator('[data-testid=trace-hash]').getAttribute('data-hash');
    expect(hash).toBe(node.hash);
    await page.waitForSelector('[data-testid=trace-hash][data-verified=ok]');
    expect(await text(page, 'trace-source')).toBe(`live: ${name} seed ${seed}`);
    expect(await text(page, 'live-result')).toContain(node.expectation.held ? 'expectation held' : 'expectation DID NOT HOLD');
    // The scenario list comes from scenarios/*.ts through the worker.
    expect(await page.locator('[data-testid=scenario] option').count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(RESULTS, `viewer-live-${name}.png`), fullPage: true });
    await page.close();
  });

  it('a Raft trace above the keep limit: states packed and decoded when shown (the panel at the cursor), lane bands from the worker, state text searched whole', async () => {
    const file = join(dir, 'raft-big.jsonl');
    await writeRaftTrace(file, 55_000);
    const raw = readFileSync(file, 'utf8');
    const parsed = parseTrace(raw);
    const cols = buildColumns(parsed);
    const server = await serveViewer({ trace: file, port: 0 });
    const page = await newPage(h, problems);
    try {
      await page.goto(server.url);
      await page.waitForFunction(() => (window as unknown as { __faultline?: { loaded: string } }).__faultline?.loaded === 'raft-big.jsonl', undefined, { timeout: 120_000, polling: 100 });
      // Three states of each node (first, middle, last), read in the page, equal Node's.
      const picks = [...cols.states.entries()].flatMap(([node, snaps]) => [0, snaps.length >> 1, snaps.length - 1].map((i) => [node, i] as [string, number]));
      const got = await page.evaluate((ps) => {
        const f = (window as unknown as { __faultline: { store: { model: { states: Map<string, { seq: number; state: unknown }[]> } } } }).__faultline;
        // The state is a getter (decoded when read): read it here.
        return ps.map(([node, i]) => {
          const snap = f.store.model.states.get(node)![i]!;
          return { seq: snap.seq, state: snap.state };
        });
      }, picks);
      expect(got).toEqual(picks.map(([node, i]) => ({ seq: cols.states.get(node)![i]!.seq, state: cols.states.get(node)![i]!.state })));
      // The lane bands (computed by the worker after the first paint) equal Node's.
      await page.waitForFunction(() => (window as unknown as { __faultline: { timings: { bandsMs?: number } } }).__faultline.timings.bandsMs !== undefined, undefined, { timeout: 120_000, polling: 100 });
      const bands = await page.evaluate(() => {
        const f = (window as unknown as { __faultline: { store: { model: unknown }; diagram: { laneBands?: (m: unknown) => unknown[] } } }).__faultline;
        return f.diagram.laneBands?.(f.store.model) ?? [];
      });
      const want = raftBands(cols);
      expect(want.length).toBeGreaterThan(0);
      expect(bands).toEqual(want);
      // The Raft panel at a cursor shows what that node had published then.
      const [node, snaps] = [...cols.states.entries()].find(([, sn]) => sn.some((x) => (x.state as { role?: string }).role === 'leader'))!;
      const leaderAt = snaps.find((x) => (x.state as { role?: string }).role === 'leader')!;
      await page.evaluate((seq) => (window as unknown as { __faultline: { store: { setCursor(n: number): void } } }).__faultline.store.setCursor(seq), leaderAt.seq);
      await page.waitForFunction(([n]) => /^leader/.test(document.querySelector(`[data-testid="raft-role-${n}"]`)?.textContent ?? ''), [node]);
      expect(await text(page, `raft-term-${node}`)).toBe(String((leaderAt.state as { term: number }).term));
      // A query only found deep inside states (past their first 1,024 characters), as Node finds it.
      const q = '"snapshotterm":';
      const wantHits = parsed.events.filter((e) => searchText(e).includes(q)).length;
      const hits = await page.evaluate(async (query) => {
        const s = (window as unknown as { __faultline: { store: { on(t: string, f: () => void): void; setSearch(q: string): void; searchHits?: Uint8Array } } }).__faultline.store;
        s.setSearch(query);
        await new Promise<void>((ok) => (s.searchHits !== undefined ? ok() : s.on('search', () => s.searchHits !== undefined && ok())));
        return s.searchHits!.reduce((a, b) => a + b, 0);
      }, q);
      expect(wantHits).toBeGreaterThan(0);
      expect(hits).toBe(wantHits);
    } finally {
      await page.close();
      await server.close();
    }
  }, 600_000);

  it('loads and draws a 100,000-event trace; reports the timings (not asserted)', async () => {
    const big = bigTrace(100_000);
    const bigFile = join(dir, 'big.jsonl');
    writeFileSync(bigFile, big);
    const server = await serveViewer({ trace: bigFile, port: 0 });
    const page = await newPage(h, problems);
    // Wall time from navigation to the drawn page: fetch of 9 MB, parse with hash check, model, first draw.
    const t0 = Date.now();
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { __faultline?: { loaded: string } }).__faultline?.loaded === 'big.jsonl', undefined, { timeout: 30_000 });
    const wall = Date.now() - t0;
    await server.close();
    const timings = await page.evaluate(() => (window as unknown as { __faultline: { timings: Record<string, number> } }).__faultline.timings);
    // Cursor responsiveness: 50 steps, each waiting for the next frame (so the overlay and panels have redrawn).
    const stepMs = await page.evaluate(async () => {
      const f = (window as unknown as { __faultline: { store: { step(d: number): void } } }).__faultline;
      const t = performance.now();
      for (let i = 0; i < 50; i++) {
        f.store.step(1);
        await new Promise((r) => requestAnimationFrame(() => r(undefined)));
      }
      return (performance.now() - t) / 50;
    });
    // The work of one cursor move itself: update the store (list, panels, node table) and redraw the overlay, synchronously.
    const syncStepMs = await page.evaluate(() => {
      const f = (window as unknown as { __faultline: { store: { cursor: number; setCursor(s: number): void }; diagram: { draw(): void } } }).__faultline;
      const t = performance.now();
      for (let i = 0; i < 50; i++) {
        f.store.setCursor(f.store.cursor + 997);
        f.diagram.draw();
      }
      return (performance.now() - t) / 50;
    });
    const zoomDraw = await page.evaluate(() => {
      const f = (window as unknown as { __faultline: { diagram: { zoomBy(k: number): void; draw(): void; lastDrawMs: number } } }).__faultline;
      f.diagram.zoomBy(1.5);
      f.diagram.draw();
      return f.diagram.lastDrawMs;
    });
    // Above the page's keep limit: details, causal past and search come from the loader worker; they agree with Node.
    const parsed = parseTrace(big);
    const cols = buildColumns(parsed);
    const wantHits = parsed.events.filter((e) => searchText(e).includes('deliver #77')).length;
    const wantPast = causalPastColumns(cols, 54_321).reduce((a, b) => a + b, 0);
    const got = await page.evaluate(async () => {
      const s = (window as unknown as { __faultline: { store: { on(t: string, f: () => void): void; setSearch(q: string): void; searchHits?: Uint8Array; causal: boolean; setCursor(n: number): void; causalMarks(): Uint8Array | undefined; event(n: number): { type: string } | undefined } } }).__faultline.store;
      const wait = (topic: string, done: () => boolean): Promise<void> => new Promise((ok) => (done() ? ok() : s.on(topic, () => done() && ok())));
      // The matches arrive as they are found (searchSoFar), then complete (searchHits): every early one is a match.
      // The whole run in view: the first report, right after the visible chunks, has them all.
      const m = (s as unknown as { model: { startT: number; endT: number } }).model;
      (s as unknown as { setWindow(a: number, b: number): void }).setWindow(m.startT, m.endT);
      const early: number[] = [];
      s.on('search', () => {
        const so = (s as unknown as { searchSoFar?: { marks: Uint8Array } }).searchSoFar;
        if (so && s.searchHits === undefined) so.marks.forEach((v, i) => v === 1 && early.push(i));
      });
      s.setSearch('deliver #77');
      await wait('search', () => s.searchHits !== undefined);
      const hits = s.searchHits!.reduce((a, b) => a + b, 0);
      const earlyOk = early.length > 0 && early.every((i) => s.searchHits![i] === 1);
      s.setSearch('');
      s.causal = true;
      s.setCursor(54_321);
      await wait('causal', () => s.causalMarks() !== undefined);
      const past = s.causalMarks()!.reduce((a, b) => a + b, 0);
      s.causal = false;
      await wait('details', () => s.event(54_321) !== undefined);
      return { hits, earlyOk, past, type: s.event(54_321)!.type };
    });
    expect(got).toEqual({ hits: wantHits, earlyOk: true, past: wantPast, type: parsed.events[54_321]!.type });
    await page.waitForFunction(() => /^#54321 /.test(document.querySelector('[data-testid=cursor-desc]')?.textContent ?? ''));
    const report = { events: 100_000, bytes: big.length, wallFromNavigationMs: wall, ...timings, msPerCursorStepFrameSynced: stepMs, msPerCursorMoveWork: syncStepMs, redrawAfterZoomMs: zoomDraw };
    writeFileSync(join(RESULTS, 'viewer-scale.json'), JSON.stringify(report, null, 2) + '\n');
    console.log('viewer scale (100k events):', JSON.stringify(report));
    expect(await text(page, 'event-count')).toBe('100000 of 100000 events');
    await page.screenshot({ path: join(RESULTS, 'viewer-100k.png') });
    await page.close();
  });
});
