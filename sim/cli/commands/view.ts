// faultline view [trace] [--port N] [--host H] [--build] [--at SEQ] [--chrome OUT]
// Serves the browser viewer (ui/dist, built first when missing or older than
// its sources) on localhost with the trace, and prints the URL to open.

import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../scenario/errors.ts';
import { toChromeTrace } from '../../trace/chrome.ts';
import { historyCause, isHistoryViolation } from '../../trace/history.ts';
import { buildModel } from '../../trace/model.ts';
import { readTrace, type TraceSummary } from '../../trace/reader.ts';
import type { TraceEvent } from '../../engine/types.ts';
import { writeOutputFile } from '../file-sink.ts';
import { printWarning } from '../messages.ts';

// From dist/sim/cli/commands/ (the built package) the root is one folder further up.
export const REPO_ROOT = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../../' : '../../../../', import.meta.url));
export const VIEWER_DIST = join(REPO_ROOT, 'ui', 'dist');

/** Newest modification time (ms) of the files under the given paths. */
function newestMtime(paths: string[], skip: (p: string) => boolean): number {
  let newest = 0;
  const walk = (p: string): void => {
    if (skip(p) || !existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
    else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  for (const p of paths) walk(p);
  return newest;
}

/** Is ui/dist missing, or older than anything it is built from? */
export function viewerIsStale(): boolean {
  const index = join(VIEWER_DIST, 'index.html');
  if (!existsSync(index)) return true;
  // An installed package ships ui/dist without the sources or the Vite config: serve what it ships.
  if (!existsSync(join(REPO_ROOT, 'vite.config.ts'))) return false;
  const built = statSync(index).mtimeMs;
  const sources = ['ui', 'sim', 'scenarios', 'vite.config.ts', 'package-lock.json'].map((p) => join(REPO_ROOT, p));
  return newestMtime(sources, (p) => p === VIEWER_DIST || p.endsWith(`${sep}node_modules`)) > built;
}

/** Build the viewer with Vite when it is missing or stale (or always, with force). Returns whether it built. */
/**
 * Run `fn` holding a lock on building the viewer, so that two processes (two
 * `faultline view`s, or test files running in parallel) never build into
 * ui/dist at once. A mkdir is atomic; a lock older than two minutes is left
 * over from a killed process and is taken over.
 */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), `faultline-viewer-build-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)}`);
  const giveUp = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > giveUp) throw new Error(`gave up waiting for another build of the viewer (lock ${lock})`, { cause: err });
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function ensureViewerBuilt(force = false): Promise<boolean> {
  if (!force && !viewerIsStale()) return false;
  return withBuildLock(async () => (!force && !viewerIsStale() ? false : buildViewer(force)));
}

async function buildViewer(force: boolean): Promise<boolean> {
  const haveDist = existsSync(join(VIEWER_DIST, 'index.html'));
  const vite = await import('vite').catch(() => undefined);
  if (!vite) {
    // Vite is a dev dependency: without it, serve what was built before, or say how to build.
    if (haveDist && !force) {
      process.stderr.write('faultline: warning: the viewer may be out of date and Vite is not installed to rebuild it\n');
      return false;
    }
    throw new InputError('the viewer is not built and Vite is not installed: run `npm install` (with dev dependencies) and `npm run build:ui`', VIEWER_DIST);
  }
  try {
    await vite.build({ configFile: join(REPO_ROOT, 'vite.config.ts'), logLevel: 'error' });
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new Error(`could not build the viewer into ${VIEWER_DIST}: ${first}`, { cause: err });
  }
  return true;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface ViewServer {
  server: Server;
  /** The URL that opens the viewer on the trace. */
  url: string;
  close(): Promise<void>;
}

/** Serve ui/dist and the trace (re-read on each request) on host:port; port 0 picks a free one. */
export async function serveViewer(opts: { trace?: string; port?: number; host?: string; dist?: string }): Promise<ViewServer> {
  const dist = resolve(opts.dist ?? VIEWER_DIST);
  const host = opts.host ?? '127.0.0.1';
  const traceName = opts.trace ? basename(opts.trace) : undefined;
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').replace(/[?#].*$/, ''));
    if (opts.trace && path === `/trace/${traceName}`) {
      // One byte range (RFC 9110 14.2) is answered: the viewer reads the tail first for the run's end time.
      const size = statSync(opts.trace).size;
      const type = { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'accept-ranges': 'bytes' };
      const r = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
      if (r && (r[1] !== '' || r[2] !== '') && size > 0) {
        const start = r[1] === '' ? Math.max(0, size - Number(r[2])) : Number(r[1]);
        const end = r[1] === '' || r[2] === '' ? size - 1 : Math.min(size - 1, Number(r[2]));
        if (start > end || start >= size) {
          res.writeHead(416, { 'content-range': `bytes */${size}` });
          res.end();
          return;
        }
        res.writeHead(206, { ...type, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(end - start + 1) });
        createReadStream(opts.trace, { start, end }).pipe(res);
        return;
      }
      res.writeHead(200, { ...type, 'content-length': String(size) });
      // Read 1 MB at a time (the default 64 KB makes a 338 MB trace 5,000 reads and socket writes).
      createReadStream(opts.trace, { highWaterMark: 1 << 20 }).pipe(res);
      return;
    }
    const file = resolve(dist, `.${path === '/' ? '/index.html' : path}`);
    if (!file.startsWith(dist + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  const listen = (port: number): Promise<void> =>
    new Promise((ok, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => {
        server.off('error', fail);
        ok();
      });
    });
  try {
    await listen(opts.port ?? 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || opts.port === 0) throw err;
    await listen(0); // the asked-for port is taken: take any free one
  }
  const addr = server.address() as AddressInfo;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}/`;
  const url = traceName ? `${base}?trace=${encodeURIComponent(`trace/${traceName}`)}` : base;
  return { server, url, close: () => new Promise((ok) => server.close(() => ok())) };
}

/**
 * Check a trace file line by line, streaming (files of any size: memory is
 * O(longest line) plus what `onEvent` keeps). Throws InputError naming the
 * line for a malformed file; warnings (truncation...) are in the summary.
 * `replay` reads traces the same way (and `check` through the same LineSplitter).
 */
export async function readTraceFile(file: string, onEvent: (ev: TraceEvent) => void = () => {}, opts: { verifyHash?: boolean } = {}): Promise<TraceSummary> {
  if (!existsSync(file)) throw new InputError('no such trace file', file);
  if (statSync(file).isDirectory()) throw new InputError('this is a folder; expected a trace file', file);
  return readTrace(createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>, onEvent, { file, strictUtf8: true, ...opts });
}

export function registerView(program: Command): void {
  program
    .command('view')
    .description('serve the browser viewer on localhost with a trace, and print the URL to open')
    .argument('[trace]', 'trace file (JSON Lines) written by faultline run --trace')
    .option('--port <n>', 'port to listen on (a free one if taken)', '4173')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--build', 'rebuild the viewer even if it looks up to date')
    .option('--at <seq>', 'open with the cursor on this event')
    .option('--chrome <file>', 'write the trace in Chrome trace event format (for ui.perfetto.dev) to this file, and exit')
    .action(async (trace: string | undefined, opts: { port: string; host: string; build?: boolean; at?: string; chrome?: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--port: expected a port number 0-65535 (got ${JSON.stringify(opts.port)})`);
      let events = 0;
      let firstViolation = undefined as { invariant: string; cause: number; history?: boolean } | undefined;
      if (opts.chrome !== undefined && trace === undefined) throw new InputError('--chrome: give the trace file to export');
      if (trace !== undefined) {
        // Check it here, streaming, so a broken file is reported in the terminal with its line.
        // Only --chrome keeps the events (the export is one JSON document anyway).
        const kept: TraceEvent[] = [];
        const keep = opts.chrome !== undefined;
        const opEvents: TraceEvent[] = []; // invokes and returns: the cause of a history (linearizability) violation
        const summary = await readTraceFile(trace, (ev) => {
          if (keep) kept.push(ev);
          else if (ev.type === 'violation' && firstViolation === undefined) firstViolation = ev;
          else if (ev.type === 'invoke' || ev.type === 'return') opEvents.push(ev);
        });
        if (firstViolation && isHistoryViolation(firstViolation.invariant)) firstViolation = { ...firstViolation, cause: historyCause(buildModel({ header: summary.header, events: opEvents, footer: undefined }).operations) ?? firstViolation.cause, history: true };
        for (const w of summary.warnings) printWarning(trace, w);
        if (opts.chrome !== undefined) {
          // Whole or not at all, never over a device, pipe or link (the CLI's one rule for output files).
          const out = opts.chrome;
          writeOutputFile(out, JSON.stringify(toChromeTrace(buildModel({ header: summary.header, events: kept, footer: summary.footer }))), 'the export');
          process.stdout.write(`wrote ${out} (Chrome trace event format: open it at https://ui.perfetto.dev or chrome://tracing)\n`);
          return;
        }
        events = summary.events;
      }
      const at = opts.at === undefined ? undefined : Number(opts.at);
      if (at !== undefined && (!Number.isInteger(at) || at < 0 || (trace !== undefined && at >= events))) {
        throw new InputError(`--at: expected an event number 0-${Math.max(0, events - 1)} (got ${JSON.stringify(opts.at)})`);
      }
      if (await ensureViewerBuilt(opts.build === true)) process.stderr.write(`built the viewer into ${VIEWER_DIST}\n`);
      const s = await serveViewer({ ...(trace !== undefined ? { trace: resolve(trace) } : {}), port, host: opts.host });
      process.stdout.write(`viewer: ${s.url}${at !== undefined ? `#e=${at}` : ''}\n`);
      if (firstViolation) process.stdout.write(`first violation (${firstViolation.invariant}), at its cause${firstViolation.history ? ' (the operation that cannot be linearized)' : ''}: ${s.url}#e=${firstViolation.cause}\n`);
      process.stdout.write('(Ctrl-C to stop)\n');
      await new Promise<void>((done) => {
        const stop = (): void => {
          void s.close().then(done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
