// A trace file written as a stream with a bounded buffer, into a temporary
// file (`<path>.partial-<pid>`) that is fsynced and renamed into place only
// when the run finished: a failed, interrupted or killed run never leaves a
// half-written trace under the final name.
//
// Errors are the user's environment, not bugs: a path that cannot be created
// (`--trace /proc/x.jsonl`, a directory, a read-only folder) or a write that
// fails while streaming (a full disk: ENOSPC) end in one InputError line
// ("faultline: <file>: cannot write the trace: no space left on device (ENOSPC)")
// and the temporary file is removed. A write error never escapes from write()
// into the simulation (where a node's handler would see it as a protocol
// exception): the sink remembers it, drops further output, and the caller
// stops the run (see `failed`) and gets the error from commit().

import { accessSync, closeSync, constants as fsConstants, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { TraceSink } from '../engine/trace.ts';
import { InputError } from '../scenario/errors.ts';

const BUFFER_CHARS = 1 << 20;

/** Every sink with a temporary file on disk, so a signal or an exit can remove them (see abortOpenFiles). */
const openSinks = new Set<FileSink>();
let exitHookInstalled = false;

/** "no space left on device (ENOSPC)" from a Node system error; the message for anything else. */
export function describeFsError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.code === 'string') {
    // Node: "ENOSPC: no space left on device, write" -> "no space left on device (ENOSPC)"
    const m = /^[A-Z0-9_]+: ([^,]+)/.exec(message);
    return `${m?.[1] ?? message} (${e.code})`;
  }
  return message;
}

/** Whether process `pid` is alive (signal 0 probes without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: unknown }).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Create `dir` and its missing parents, one level at a time. Not `mkdirSync(dir, { recursive: true })`:
 * on procfs and similar file systems that call loops forever (a folder that cannot be created answers
 * ENOENT, which the recursive walk takes as "create the parent first"). Throws the first error.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(d, { throwIfNoEntry: false });
    } catch (err) {
      // `<file>/sub`: a plain file stands above; go on up to it, where the message names it.
      if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
      st = undefined;
    }
    if (st !== undefined) {
      if (!st.isDirectory()) throw Object.assign(new Error(`${d} is not a folder`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(d);
    if (dirname(d) === d || missing.length > 256) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      // Another process made it in the meantime: fine.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/**
 * Remove `path` if it is there; never throws (`rmSync(path, { force: true })` ignores only ENOENT, and a
 * path under a plain file answers ENOTDIR): for cleaning up a temporary file after another error.
 */
export function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // nothing was created there, or it is not ours to remove
  }
}

/**
 * Check, before a long run spends its time, that `dir` can hold its output: `dir`, or else its nearest
 * existing parent (the missing folders are created only when something is written), is a folder this
 * process may write into. Nothing is created. The check every `--out <dir>` gets before the work starts.
 * @throws InputError "faultline: <dir>: <option>: cannot write <what> there: <reason (CODE)>; expected a folder that can be written".
 */
export function checkOutputFolder(dir: string, what: string, option?: string): void {
  const refuse = (reason: string): never => {
    throw new InputError(`cannot write ${what} there: ${reason}; expected a folder that can be written`, dir, option);
  };
  for (let d = dir; ; d = dirname(d)) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(d, { throwIfNoEntry: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') continue; // a plain file above: found on the way up
      return refuse(describeFsError(err));
    }
    if (st !== undefined) {
      if (!st.isDirectory()) return refuse(`${d} is not a folder (ENOTDIR)`);
      try {
        accessSync(d, fsConstants.W_OK);
      } catch (err) {
        return refuse(describeFsError(err));
      }
      return;
    }
    if (dirname(d) === d) return;
  }
}

/**
 * Write several files as one output, all or none: each goes to `<path>.partial-<pid>` first, and only
 * when every one is written are they renamed into place; if anything fails, every temporary file is
 * removed and so is any file already renamed (a counterexample's scenario without its trace is half an
 * output). Each path follows checkOutputPath; missing folders are created.
 * @throws InputError "faultline: <path>: cannot write <what>: <reason (CODE)>" for the first path that failed.
 */
export function writeOutputFiles(files: readonly { path: string; text: string; what: string }[]): void {
  for (const f of files) checkOutputPath(f.path, f.what);
  const done: string[] = [];
  const tmps: string[] = [];
  let current = files[0];
  try {
    for (const f of files) {
      current = f;
      makeFolders(dirname(f.path));
      const tmp = `${f.path}.partial-${process.pid}`;
      tmps.push(tmp);
      writeFileSync(tmp, f.text);
    }
    for (const f of files) {
      current = f;
      renameSync(`${f.path}.partial-${process.pid}`, f.path);
      done.push(f.path);
    }
  } catch (err) {
    for (const t of tmps) removeQuietly(t);
    for (const p of done) removeQuietly(p);
    throw new InputError(`cannot write ${current?.what ?? 'the output'}: ${describeFsError(err)}`, current?.path);
  }
}

/**
 * Remove `<path>.partial-<pid>` files left by processes that no longer run (killed with
 * SIGKILL, or out of memory: the only ways a temporary file can outlive its writer).
 * Files of live processes (a concurrent run to the same path) are left alone.
 */
export function removeStalePartials(path: string): string[] {
  const dir = dirname(path);
  const prefix = `${basename(path)}.partial-`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    try {
      rmSync(join(dir, name), { force: true });
      removed.push(name);
    } catch {
      // not ours to remove (permissions): leave it
    }
  }
  return removed;
}

/**
 * The one rule for every file the CLI writes (traces, exports, reports, scenarios): the file is written
 * beside its final name and renamed into place, and a rename would replace a device (/dev/null), a pipe,
 * a socket or a symbolic link with a regular file. So only a regular file (or nothing) may stand at `path`.
 * @param what what is written, for the message ("the trace", "the export", "the report").
 * @throws InputError "cannot write <what>: ..." when `path` is a folder or something other than a regular file.
 */
export function checkOutputPath(path: string, what: string): void {
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    // unreadable parent: the open reports it
  }
  if (existing?.isDirectory()) throw new InputError(`cannot write ${what}: this is a folder; expected a file name`, path);
  if (existing !== undefined && !existing.isFile()) {
    throw new InputError(`cannot write ${what}: something other than a regular file is there (a device, pipe, socket or symbolic link); expected a file name`, path);
  }
}

/**
 * Write `text` to `path` whole or not at all, under the rule of checkOutputPath: missing folders are
 * created, the text goes to `<path>.partial-<pid>` and is renamed into place; on any failure the
 * temporary file is removed.
 * @throws InputError "faultline: <path>: cannot write <what>: <reason (CODE)>".
 */
export function writeOutputFile(path: string, text: string, what: string): void {
  checkOutputPath(path, what);
  const tmp = `${path}.partial-${process.pid}`;
  try {
    makeFolders(dirname(path));
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    removeQuietly(tmp);
    throw new InputError(`cannot write ${what}: ${describeFsError(err)}`, path);
  }
}

export class FileSink implements TraceSink {
  private fd: number | undefined;
  private readonly tmp: string;
  private buf: string[] = [];
  private size = 0;
  private bytes = 0;
  private error: unknown;

  /**
   * Opens `<path>.partial-<pid>` for writing (creating missing folders).
   * @throws InputError when `path` is a folder or the temporary file cannot be created.
   */
  constructor(readonly path: string) {
    this.tmp = `${path}.partial-${process.pid}`;
    checkOutputPath(path, 'the trace');
    try {
      makeFolders(dirname(path));
      removeStalePartials(path);
      this.fd = openSync(this.tmp, 'w');
    } catch (err) {
      throw new InputError(`cannot write the trace: ${describeFsError(err)}`, path);
    }
    openSinks.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', abortOpenFiles);
    }
  }

  /** The first write error, if any: the caller should stop the run; commit() will throw it. */
  get failed(): string | undefined {
    return this.error === undefined ? undefined : describeFsError(this.error);
  }

  /** Bytes written to disk so far (excluding the buffer). */
  get written(): number {
    return this.bytes;
  }

  write(chunk: string): void {
    if (this.error !== undefined) return;
    this.buf.push(chunk);
    this.size += chunk.length;
    if (this.size >= BUFFER_CHARS) this.flush();
  }

  private flush(): void {
    if (this.size === 0 || this.fd === undefined || this.error !== undefined) return;
    const text = this.buf.join('');
    this.buf = [];
    this.size = 0;
    try {
      this.bytes += writeSync(this.fd, text);
    } catch (err) {
      this.error = err;
    }
  }

  /**
   * Finish the file (flush, fsync) and move it into place.
   * @throws InputError (and removes the temporary file) if any write, the fsync or the rename failed.
   */
  commit(): void {
    this.flush();
    if (this.error === undefined && this.fd !== undefined) {
      try {
        fsyncSync(this.fd);
        closeSync(this.fd);
        this.fd = undefined;
        renameSync(this.tmp, this.path);
        openSinks.delete(this);
        return;
      } catch (err) {
        this.error = err;
      }
    }
    const reason = this.failed ?? 'the file was closed';
    this.abort();
    throw new InputError(`cannot write the trace: ${reason}; no trace was left`, this.path);
  }

  /** Throw the partial file away (safe to call twice, and from a signal or exit handler). */
  abort(): void {
    openSinks.delete(this);
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed or failing: the file goes anyway
      }
      this.fd = undefined;
    }
    removeQuietly(this.tmp);
  }
}

/** Remove the temporary file of every sink still open (a second Ctrl-C, process exit). */
export function abortOpenFiles(): void {
  for (const s of [...openSinks]) s.abort();
}

/** Run `fn` with a file sink; the file appears only if `fn` returns normally and every write succeeded. */
export function withTraceFile<T>(path: string, fn: (sink: FileSink) => T): T {
  const sink = new FileSink(path);
  try {
    const result = fn(sink);
    sink.commit();
    return result;
  } catch (err) {
    sink.abort();
    throw err;
  }
}

/** withTraceFile for an asynchronous `fn` (an interruptible run). */
export async function withTraceFileAsync<T>(path: string, fn: (sink: FileSink) => Promise<T>): Promise<T> {
  const sink = new FileSink(path);
  try {
    const result = await fn(sink);
    sink.commit();
    return result;
  } catch (err) {
    sink.abort();
    throw err;
  }
}
