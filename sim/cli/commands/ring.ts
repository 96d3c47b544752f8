// faultline ring lookup --mode native|ketama|jump --servers FILE --keys FILE [--replicas N] [--vnodes N]
//
// The servers file is libketama's ketama.servers format: one server a line,
// optionally a tab and a weight ("10.0.1.1:11211<TAB>600"); blank lines and
// lines starting with # are skipped. The keys file has one key a line. The
// output is "key<TAB>server" a line, in the keys file's order (with
// --replicas N: "key<TAB>s1,s2,...", the preference list).

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { InputError } from '../../scenario/errors.ts';
import { HashRing, RING_MODES, type Member, type RingMode } from '../../protocols/ring/ring.ts';

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `no such ${what} file` : `cannot read the ${what} file (${code ?? String(err)})`, file);
  }
}

/** Lines of a file without the final newline; CRLF tolerated. */
function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.at(-1) === '') out.pop();
  return out.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

export function parseServers(text: string, file: string, mode: RingMode): Member[] {
  const members: Member[] = [];
  const seen = new Map<string, number>();
  lines(text).forEach((raw, i) => {
    const where = `line ${i + 1}`;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split('\t').map((p) => p.trim());
    if (parts.length > 2) throw new InputError(`expected "server" or "server<TAB>weight", got ${parts.length} tab-separated fields`, file, where);
    const [id, w] = parts as [string, string | undefined];
    if (/\s/.test(id)) throw new InputError(`expected "server" or "server<TAB>weight" (separate the weight with a tab), got ${JSON.stringify(raw)}`, file, where);
    let weight = 1;
    if (w !== undefined) {
      weight = Number(w);
      if (w === '' || !Number.isFinite(weight) || weight <= 0) throw new InputError(`expected a positive number as the weight of ${id}, got ${JSON.stringify(w)}`, file, where);
      if (mode === 'jump' && weight !== 1) throw new InputError(`jump mode has no weights; ${id} has weight ${w}`, file, where);
    }
    const dup = seen.get(id);
    if (dup !== undefined) throw new InputError(`server ${id} is listed twice (first on line ${dup})`, file, where);
    seen.set(id, i + 1);
    members.push({ id, weight });
  });
  if (members.length === 0) throw new InputError('expected at least one server', file);
  return members;
}

export function parseKeys(text: string, file: string): string[] {
  const keys = lines(text);
  keys.forEach((k, i) => {
    if (k.includes('\t')) throw new InputError('a key cannot contain a tab (the output is tab-separated)', file, `line ${i + 1}`);
  });
  return keys;
}

function positive(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--${name}: expected a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

export function registerRing(program: Command): void {
  const ring = program.command('ring').description('consistent hash ring tools');
  ring
    .command('lookup')
    .description('print "key<TAB>server" for every key of the keys file, in its order')
    .requiredOption('--servers <file>', 'one server a line, optionally <TAB>weight (ketama.servers format)')
    .requiredOption('--keys <file>', 'one key a line')
    .option('--mode <mode>', `placement: ${RING_MODES.join('|')}`, 'native')
    .option('--replicas <n>', 'print the preference list of n distinct servers instead of the owner')
    .option('--vnodes <n>', 'native: points per unit of weight (default 160)')
    .action((opts: { servers: string; keys: string; mode: string; replicas?: string; vnodes?: string }) => {
      if (!(RING_MODES as readonly string[]).includes(opts.mode)) throw new InputError(`--mode: expected one of ${RING_MODES.join(', ')}, got ${JSON.stringify(opts.mode)}`);
      const mode = opts.mode as RingMode;
      const replicas = positive(opts.replicas, 'replicas', 0);
      const vnodes = positive(opts.vnodes, 'vnodes', 160);
      const members = parseServers(readText(opts.servers, 'servers'), opts.servers, mode);
      const keys = parseKeys(readText(opts.keys, 'keys'), opts.keys);
      let r: HashRing;
      try {
        r = new HashRing(members, { mode, vnodes });
      } catch (err) {
        if (err instanceof RangeError) throw new InputError(err.message, opts.servers);
        throw err;
      }
      const out: string[] = [];
      const flush = (): void => {
        if (out.length > 0) process.stdout.write(out.join(''));
        out.length = 0;
      };
      for (const key of keys) {
        out.push(`${key}\t${replicas > 0 ? r.preferenceList(key, replicas).join(',') : r.lookup(key)}\n`);
        if (out.length >= 65_536) flush();
      }
      flush();
    });
}
