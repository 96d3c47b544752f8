// A trace file written as a stream with a bounded buffer, into a temporary
// file that is renamed into place only when the run finished: an interrupted
// or failed run never leaves a half-written trace behind.

import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TraceSink } from '../engine/trace.ts';

const BUFFER_CHARS = 1 << 20;

export class FileSink implements TraceSink {
  private fd: number;
  private readonly tmp: string;
  private buf: string[] = [];
  private size = 0;
  private open = true;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = `${path}.partial-${process.pid}`;
    this.fd = openSync(this.tmp, 'w');
  }

  write(chunk: string): void {
    this.buf.push(chunk);
    this.size += chunk.length;
    if (this.size >= BUFFER_CHARS) this.flush();
  }

  private flush(): void {
    if (this.size === 0) return;
    writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }

  /** Finish the file and move it into place. */
  commit(): void {
    this.flush();
    closeSync(this.fd);
    this.open = false;
    renameSync(this.tmp, this.path);
  }

  /** Throw the partial file away. */
  abort(): void {
    if (!this.open) return;
    closeSync(this.fd);
    this.open = false;
    rmSync(this.tmp, { force: true });
  }
}

/** Run `fn` with a file sink; the file appears only if `fn` returns normally. */
export function withTraceFile<T>(path: string, fn: (sink: FileSink) => T): T {
  const sink = new FileSink(path);
  const cleanup = (): void => sink.abort();
  process.once('SIGINT', cleanup);
  try {
    const result = fn(sink);
    sink.commit();
    return result;
  } catch (err) {
    sink.abort();
    throw err;
  } finally {
    process.removeListener('SIGINT', cleanup);
  }
}
