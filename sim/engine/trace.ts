// Trace output. A trace is JSON Lines: a header, one line per event, and a
// footer. The run's hash is the SHA-256 of every byte before the footer, so
// `head -n -1 trace.jsonl | sha256sum` gives the same hex as the footer's hash.
// SHA-256 comes from @noble/hashes: pure JS, identical in Node and the browser.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** Where trace lines go. Each call gets whole lines, each ending in "\n". */
export interface TraceSink {
  write(chunk: string): void;
}

/** Collects the trace in memory (tests, the browser). */
export class MemorySink implements TraceSink {
  readonly lines: string[] = [];
  write(chunk: string): void {
    this.lines.push(chunk);
  }
  text(): string {
    return this.lines.join('');
  }
}

const encoder = new TextEncoder();
const FLUSH_AT = 1 << 16;

/** Incremental SHA-256 over text, batched so that many short lines stay cheap. */
export class TraceHasher {
  private h = sha256.create();
  private pending: string[] = [];
  private pendingLength = 0;

  update(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.h.update(encoder.encode(this.pending.join('')));
    this.pending = [];
    this.pendingLength = 0;
  }

  digest(): string {
    this.flush();
    return bytesToHex(this.h.digest());
  }
}

/** SHA-256 hex of a whole text (used to check a trace file against its footer). */
export function hashText(text: string): string {
  return bytesToHex(sha256(encoder.encode(text)));
}
