// Assertions inside protocol and engine code. A failed assertion in a node's
// handler is caught by the engine and recorded as a violation named
// "assertion", with the message, so it shows up in the trace like any checker.

export class AssertionFailure extends Error {
  override name = 'AssertionFailure';
}

export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new AssertionFailure(typeof message === 'function' ? message() : message);
}
