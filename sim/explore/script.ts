// Data-driven protocol tests, as etcd-io/raft's testdata/*.txt (cockroachdb's
// datadriven format): a script of commands, each followed by `----` and the
// output it must produce, ending at a blank line. Commands drive a cluster
// through the stepping engine (driver.ts), so a test says what happens in
// order, not at which microsecond:
//
//   init <protocol> <config JSON>     build the cluster (nodes start, in order)
//   timer <node> <name>               fire an armed timer
//   deliver <from>-><to> [type]       deliver the oldest such message in flight
//   drop <from>-><to> [type]          lose it instead
//   duplicate <from>-><to> [type]     deliver it and keep a copy in flight
//   crash <node> / restart <node>
//   stabilize                         deliver messages (oldest first) until none is in flight; no timers fire
//   state [node ...]                  print published states
//   choices                           print what may happen next
//
// Output: what the step did, one line per trace event (sends with their
// message, published states, crashes, client operations, violations), with no
// times. runScript returns the script with the outputs it produced, so a
// caller can compare it with the file or write it back (--rewrite).

import { MemorySink } from '../engine/trace.ts';
import type { JsonValue, TraceEvent } from '../engine/types.ts';
import { parseScenario, prepareRun } from '../scenario/resolve.ts';
import { traceHeader } from '../scenario/run.ts';
import { Driver } from './driver.ts';

export interface ScriptCase {
  /** 1-based line of the command. */
  line: number;
  command: string;
  expected: string;
}

/** Split a script into commands and their expected outputs. */
export function parseScript(text: string): ScriptCase[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const out: ScriptCase[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i] as string;
    if (l.trim() === '' || l.startsWith('#')) {
      i++;
      continue;
    }
    const line = i + 1;
    const command = l.trim();
    i++;
    if (lines[i] !== '----') throw new Error(`line ${line}: expected "----" after the command "${command}"`);
    i++;
    const expected: string[] = [];
    while (i < lines.length && lines[i] !== '') expected.push(lines[i++] as string);
    out.push({ line, command, expected: expected.join('\n') });
  }
  return out;
}

function render(ev: TraceEvent): string | undefined {
  switch (ev.type) {
    case 'send': {
      const { type, ...rest } = ev.msg as { type: string } & Record<string, JsonValue>;
      return `${ev.from} -> ${ev.to} ${type} ${JSON.stringify(rest)}`;
    }
    case 'state':
      return `${ev.node} state ${JSON.stringify(ev.state)}`;
    case 'drop':
      return `dropped ${ev.from} -> ${ev.to} #${ev.id} (${ev.reason})`;
    case 'crash':
      return `${ev.node} crashed (${ev.lostWrites} unsynced writes lost)`;
    case 'restart':
      return `${ev.node} restarted`;
    case 'invoke':
      return `${ev.node} invoke ${ev.f}${ev.key !== undefined ? ` ${ev.key}` : ''}${ev.value !== undefined ? ` ${JSON.stringify(ev.value)}` : ''}`;
    case 'return':
      return `${ev.node} return ${ev.outcome}${ev.value !== undefined ? ` ${JSON.stringify(ev.value)}` : ''}`;
    case 'log':
      return `${ev.node} log: ${ev.text}`;
    case 'violation':
      return `VIOLATION ${ev.invariant}: ${ev.message}`;
    case 'duplicate':
      return `duplicated ${ev.from} -> ${ev.to} as #${ev.id}`;
    default:
      return undefined; // deliver, timer, start: the command itself says it
  }
}

/** Run a script; returns the script text with each command's actual output (identical to the input when all pass). */
export function runScript(text: string): string {
  const cases = parseScript(text);
  let driver: Driver | undefined;
  let sink: MemorySink | undefined;
  let seen = 0;
  const outputs: string[] = [];
  const need = (c: ScriptCase): Driver => {
    if (!driver) throw new Error(`line ${c.line}: "${c.command}" before init`);
    return driver;
  };
  const fresh = (): string[] => {
    const lines = sink?.lines ?? [];
    const out: string[] = [];
    for (; seen < lines.length; seen++) {
      const ev = JSON.parse(lines[seen] as string) as TraceEvent;
      const r = render(ev);
      if (r !== undefined) out.push(r);
    }
    return out;
  };
  for (const c of cases) {
    const [cmd, ...args] = c.command.split(/\s+/);
    let out: string[];
    switch (cmd) {
      case 'init': {
        const [protocol, ...json] = args;
        const config = json.length > 0 ? (JSON.parse(json.join(' ')) as Record<string, unknown>) : {};
        const run = prepareRun(parseScenario({ name: 'script', description: 'data-driven test', protocol, config, duration: '60s' }));
        sink = new MemorySink();
        seen = 1; // the header
        driver = new Driver(run, { budgets: { crashes: Infinity, losses: Infinity, duplicates: Infinity, crashRoles: [...new Set(run.nodes.map((n) => n.role))] }, trace: sink, header: traceHeader(run) });
        out = [`nodes ${run.nodes.map((n) => `${n.id}(${n.role})`).join(' ')}`, ...fresh()];
        break;
      }
      case 'timer':
      case 'crash':
      case 'restart': {
        const d = need(c);
        d.takeLabel(`${cmd} ${args.join(' ')}`);
        out = fresh();
        break;
      }
      case 'deliver':
      case 'drop':
      case 'duplicate': {
        const d = need(c);
        const [link, type] = args;
        const prefix = `${cmd} ${link} ${type ?? ''}`.trimEnd();
        const i = d.choices().findIndex((ch) => ch.kind === cmd && ch.label.startsWith(`${prefix} `));
        if (i < 0) throw new Error(`line ${c.line}: no message ${link}${type ? ` ${type}` : ''} in flight; choices: ${d.choices().map((ch) => ch.label).join('; ')}`);
        d.take(i);
        out = fresh();
        break;
      }
      case 'stabilize': {
        const d = need(c);
        for (let n = 0; ; n++) {
          if (n > 10_000) throw new Error(`line ${c.line}: stabilize did not settle in 10000 deliveries`);
          const i = d.choices().findIndex((ch) => ch.kind === 'deliver');
          if (i < 0 || d.sim.halted) break;
          d.take(i);
        }
        out = fresh();
        break;
      }
      case 'state': {
        const d = need(c);
        const ids = args.length > 0 ? args : d.sim.nodeIds;
        out = ids.map((id) => `${id} ${d.sim.isUp(id) ? 'up' : 'down'} ${JSON.stringify(d.sim.published(id) ?? null)}`);
        break;
      }
      case 'choices':
        out = need(c).choices().map((ch) => ch.label);
        break;
      default:
        throw new Error(`line ${c.line}: unknown command "${cmd}"`);
    }
    outputs.push(`${c.command}\n----\n${out.length > 0 ? out.join('\n') : 'ok'}\n`);
  }
  // Keep the file's comments: rebuild by replacing each case's output block.
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const result: string[] = [];
  let i = 0;
  let k = 0;
  while (i < lines.length) {
    const l = lines[i] as string;
    if (l.trim() === '' || l.startsWith('#')) {
      result.push(l);
      i++;
      continue;
    }
    result.push((outputs[k++] as string).replace(/\n$/, ''));
    i += 2;
    while (i < lines.length && lines[i] !== '') i++;
  }
  return result.join('\n');
}
