// User-facing input errors, shared by every layer (the engine, protocols, the scenario
// layer and the CLI): they name the file, the path inside it and what was expected.
// The CLI prints them without a stack trace and exits 2.

export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    readonly file?: string,
    readonly where?: string,
    /** `cause`: the error this one reports (a refused run's EngineLimitError or TimeStalledError). */
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /**
   * "file: where: message" with the parts that are known, on one line: line breaks and
   * other control characters are escaped, and each part is cut to 1000 characters, so a
   * hostile input (a key with a newline, a megabyte-long string) cannot break the one-line
   * contract of the CLI's error output.
   */
  describe(): string {
    return [this.file, this.where, this.message]
      .filter((p): p is string => p !== undefined && p !== '')
      .map(oneLine)
      .join(': ');
  }
}

/** A run that had to be refused while it ran: virtual time stopped advancing (a zero interval re-armed forever) or the step limit was reached. Bad input, exit 2. */
export class RunRefusedError extends InputError {
  override name = 'RunRefusedError';
}

const MAX_PART = 1000;
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Escape control characters (\n, \r, \t, \u0000, ...) and line separators, and cut to MAX_PART characters. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > MAX_PART ? `${escaped.slice(0, MAX_PART)}... (${escaped.length - MAX_PART} more characters)` : escaped;
}

/** Render a path inside a document: ["faults", "timeline", 2, "at"] -> "faults.timeline[2].at". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(top level)' : out;
}
