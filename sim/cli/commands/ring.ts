// faultline ring lookup --mode native|ketama|jump --servers FILE --keys FILE [--replicas N] [--vnodes N]
//
// The servers file is libketama's ketama.servers format: one server a line,
// optionally a tab and a weight ("10.0.1.1:11211<TAB>600"); blank lines and
// lines starting with # are skipped. The keys file has one key a line (split on
// \n, a trailing \r dropped). The output is "key<TAB>server" a line, in the keys
// file's order (with --replicas N: "key<TAB>s1,s2,...", the preference list).
//
// Keys are bytes: in ketama mode they are hashed as they are, whatever their
// encoding, as libketama hashes its C strings (md5 of the bytes), and printed back
// byte for byte; native and jump mode hash text, so there a key must be UTF-8.
// In ketama mode a server whose weight is too small for a single digest
// (floor(weight / total x 40 x servers) = 0) owns no key, as in libketama; it is
// reported on stderr, and --replicas asking for more servers than have points is
// an error.

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { InputError } from '../../scenario/errors.ts';
import { HashRing, MAX_POINTS_PER_MEMBER, RING_MODES, DEFAULT_VNODES, pointCounts, type Member, type RingMode } from '../../protocols/ring/ring.ts';
import { firstInvalidUtf8, readTextFile } from '../scenarios.ts';

/** Lines of a file without the final newline; CRLF tolerated. */
function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.at(-1) === '') out.pop();
  return out.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

export interface ServerDefs {
  members: Member[];
  /** The 1-based line of each member, in the same order. */
  lines: number[];
}

/**
 * Parse a ketama.servers file; throws InputError naming the file and line. A weight is a
 * positive number at most 2^53 - 1 (libketama: a positive integer that fits a long), and the
 * weights of all servers add up to at most 2^53 - 1 (libketama's total would overflow).
 */
export function parseServerDefs(text: string, file: string, mode: RingMode, vnodes = DEFAULT_VNODES): ServerDefs {
  const members: Member[] = [];
  const at: number[] = [];
  const seen = new Map<string, number>();
  let total = 0;
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
      if (weight > Number.MAX_SAFE_INTEGER) throw new InputError(`the weight of ${id} is too large: ${w} is above 2^53 - 1 (${Number.MAX_SAFE_INTEGER})`, file, where);
      if (mode === 'jump' && weight !== 1) throw new InputError(`jump mode has no weights; ${id} has weight ${w}`, file, where);
      if (mode === 'native' && Math.round(vnodes * weight) > MAX_POINTS_PER_MEMBER) {
        throw new InputError(`weight ${w} of ${id} gives ${Math.round(vnodes * weight)} points (vnodes x weight); at most ${MAX_POINTS_PER_MEMBER} per server`, file, where);
      }
    }
    const dup = seen.get(id);
    if (dup !== undefined) throw new InputError(`server ${id} is listed twice (first on line ${dup})`, file, where);
    total += weight;
    if (total > Number.MAX_SAFE_INTEGER) throw new InputError(`the weights add up to more than 2^53 - 1 (${Number.MAX_SAFE_INTEGER}) by this line`, file, where);
    seen.set(id, i + 1);
    members.push({ id, weight });
    at.push(i + 1);
  });
  if (members.length === 0) throw new InputError('expected at least one server', file);
  return { members, lines: at };
}

export function parseServers(text: string, file: string, mode: RingMode, vnodes = DEFAULT_VNODES): Member[] {
  return parseServerDefs(text, file, mode, vnodes).members;
}

export function parseKeys(text: string, file: string): string[] {
  const keys = lines(text);
  keys.forEach((k, i) => {
    if (k.includes('\t')) throw new InputError('a key cannot contain a tab (the output is tab-separated)', file, `line ${i + 1}`);
  });
  return keys;
}

/** Keys as raw bytes: the file split on \n (a trailing \r dropped, no final empty key); throws InputError on a tab. */
export function parseKeyBytes(bytes: Uint8Array, file: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  let line = 1;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) {
      if (bytes[i] === 0x09) throw new InputError('a key cannot contain a tab (the output is tab-separated)', file, `line ${line}`);
      continue;
    }
    if (i === bytes.length && start === i) break; // no final empty key after the last newline
    const end = i > start && bytes[i - 1] === 0x0d ? i - 1 : i;
    out.push(bytes.subarray(start, end));
    start = i + 1;
    line++;
  }
  return out;
}

function readBytes(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `no such ${what} file` : code === 'EISDIR' ? `expected a ${what} file, got a directory` : `cannot read the ${what} file (${code ?? String(err)})`, file);
  }
}

function positive(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`--${name}: expected a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

/** Servers of a ketama ring that get no point: stderr warnings (libketama maps no key to them), or an error when --replicas needs them. */
function checkKetamaPoints(defs: ServerDefs, file: string, replicas: number): void {
  const counts = pointCounts(defs.members, 'ketama');
  const total = defs.members.reduce((s, m) => s + m.weight, 0);
  const n = defs.members.length;
  const empty = defs.members.map((m, i) => ({ m, line: defs.lines[i]!, points: counts[i]! })).filter((e) => e.points === 0);
  const placed = n - empty.length;
  const why = (e: { m: Member }): string => `floor(${e.m.weight} / ${total} x 40 x ${n}) = 0 digests`;
  const first = empty[0];
  if (first !== undefined && (placed === 0 || replicas > placed)) {
    const need = placed === 0 ? 'no server has points on the ketama continuum' : `--replicas ${replicas} needs ${replicas} servers with points on the ketama continuum, but only ${placed} of ${n} have any`;
    throw new InputError(`${need}: ${first.m.id} gets none (${why(first)}); raise its weight or lower the others`, file, `line ${first.line}`);
  }
  for (const e of empty) {
    process.stderr.write(`faultline: warning: ${new InputError(`server ${e.m.id} gets no points on the ketama continuum (${why(e)}), so no key maps to it (as in libketama)`, file, `line ${e.line}`).describe()}\n`);
  }
}

export function registerRing(program: Command): void {
  const ring = program.command('ring').description('consistent hash ring tools');
  ring
    .command('lookup')
    .description('print "key<TAB>server" for every key of the keys file, in its order')
    .requiredOption('--servers <file>', 'one server a line, optionally <TAB>weight (ketama.servers format)')
    .requiredOption('--keys <file>', 'one key a line (ketama hashes the raw bytes, as libketama does)')
    .option('--mode <mode>', `placement: ${RING_MODES.join('|')}`, 'native')
    .option('--replicas <n>', 'print the preference list of n distinct servers instead of the owner')
    .option('--vnodes <n>', `native: points per unit of weight (default ${DEFAULT_VNODES})`)
    .action((opts: { servers: string; keys: string; mode: string; replicas?: string; vnodes?: string }) => {
      if (!(RING_MODES as readonly string[]).includes(opts.mode)) throw new InputError(`--mode: expected one of ${RING_MODES.join(', ')}, got ${JSON.stringify(opts.mode)}`);
      const mode = opts.mode as RingMode;
      const replicas = positive(opts.replicas, 'replicas', 0);
      const vnodes = positive(opts.vnodes, 'vnodes', DEFAULT_VNODES);
      if (mode === 'native' && vnodes > MAX_POINTS_PER_MEMBER) throw new InputError(`--vnodes: expected at most ${MAX_POINTS_PER_MEMBER}, got ${JSON.stringify(opts.vnodes)}`);
      const defs = parseServerDefs(readTextFile(opts.servers, 'servers'), opts.servers, mode, vnodes);
      const keys = parseKeyBytes(readBytes(opts.keys, 'keys'), opts.keys);
      if (mode === 'ketama') checkKetamaPoints(defs, opts.servers, replicas);
      const texts: string[] = [];
      if (mode !== 'ketama') {
        // Native and jump mode hash a key's text (UTF-16 code units): it must be text.
        keys.forEach((k, i) => {
          const bad = firstInvalidUtf8(k);
          if (bad >= 0) throw new InputError(`key is not valid UTF-8 (byte 0x${k[bad]!.toString(16).padStart(2, '0')} at column ${bad + 1}); ${mode} mode hashes text, only --mode ketama hashes raw bytes`, opts.keys, `line ${i + 1}`);
          texts.push(Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('utf8'));
        });
      }
      let r: HashRing;
      try {
        r = new HashRing(defs.members, { mode, vnodes });
      } catch (err) {
        if (err instanceof RangeError) throw new InputError(err.message, opts.servers);
        throw err;
      }
      const out: (string | Uint8Array)[] = [];
      const flush = (): void => {
        if (out.length > 0) process.stdout.write(Buffer.concat(out.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))));
        out.length = 0;
      };
      keys.forEach((key, i) => {
        let servers: string;
        if (mode === 'ketama') servers = r.preferenceListOfBytes(key, Math.max(1, replicas)).join(',');
        else servers = replicas > 0 ? r.preferenceList(texts[i]!, replicas).join(',') : r.lookup(texts[i]!);
        out.push(key, `\t${servers}\n`);
        if (out.length >= 65_536) flush();
      });
      flush();
    });
}
