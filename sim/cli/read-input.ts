// Reading a user's input file as text for the CLI: one InputError line for a
// missing or unreadable file, a folder, a file too large to hold as one string,
// or bytes that are not UTF-8 (so a parser never sees U+FFFD replacements).

import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../scenario/errors.ts';
import { describeFsError } from './file-sink.ts';

/** Largest file read whole (bytes): below V8's string limit (~512 MiB). */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/**
 * The text of `file`, decoded as strict UTF-8 (a leading byte-order mark is kept for the parser to report).
 * @param what what the file should be, for messages ("trace file")
 * @throws InputError naming the file (and the byte offset of bad UTF-8)
 */
export function readTextFile(file: string, what: string): string {
  let bytes: Buffer;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new InputError(`this is a folder; expected a ${what}`, file);
    if (st.size > MAX_INPUT_BYTES) throw new InputError(`the file is ${st.size} bytes; a ${what} of at most ${MAX_INPUT_BYTES} bytes can be read`, file);
    bytes = readFileSync(file);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as { code?: unknown }).code;
    throw new InputError(code === 'ENOENT' ? `no such ${what}` : `cannot read the ${what}: ${describeFsError(err)}`, file);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // Find the first bad byte for the message (the decoder does not say where).
    let lo = 0;
    let hi = bytes.length;
    const ok = (n: number): boolean => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
        return true;
      } catch {
        return false;
      }
    };
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (ok(mid)) lo = mid;
      else hi = mid;
    }
    const line = bytes.subarray(0, lo).toString('latin1').split('\n').length;
    throw new InputError(`expected UTF-8 text, found an invalid byte sequence at byte ${lo}`, file, `line ${line}`);
  }
}
