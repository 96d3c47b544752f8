// User-facing input errors: they name the file, the path inside it and what was
// expected. The CLI prints them without a stack trace and exits 2.

export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    readonly file?: string,
    readonly where?: string,
  ) {
    super(message);
  }

  /** "file: where: message" with the parts that are known. */
  describe(): string {
    return [this.file, this.where, this.message].filter((p) => p !== undefined && p !== '').join(': ');
  }
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
