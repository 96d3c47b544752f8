// Where a JSON text goes wrong. JSON.parse (V8, Node 20) says *what* is wrong but for
// an unexpected token not *where* ("Unexpected token '}', "{"a": }" is not valid
// JSON"); this scanner finds the offset of the first character that cannot continue
// a valid JSON text (RFC 8259), so an error can name a line and a column. It only
// locates: parsing stays JSON.parse's. Iterative (an explicit stack), so deep
// nesting cannot overflow the call stack.

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// eslint-disable-next-line no-control-regex -- control characters are what a JSON string may not hold raw
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const LITERAL = /true|false|null/y;

/** Offset of the first character at which `text` stops being valid JSON (text.length when it ends too early), or undefined when it is valid. */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const skip = (): void => {
    while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  };
  const match = (re: RegExp): boolean => {
    re.lastIndex = i;
    if (!re.test(text)) return false;
    i = re.lastIndex;
    return true;
  };
  // What the scanner expects next; containers push what follows their values.
  type Want = 'value' | 'key' | 'after-value-in-array' | 'after-value-in-object' | 'first-in-array' | 'first-in-object';
  const stack: ('array' | 'object')[] = [];
  let want: Want = 'value';
  for (;;) {
    skip();
    const c = text[i];
    if (want === 'value' || want === 'first-in-array') {
      if (want === 'first-in-array' && c === ']') {
        i++;
        stack.pop();
      } else if (c === '{') {
        i++;
        stack.push('object');
        want = 'first-in-object';
        continue;
      } else if (c === '[') {
        i++;
        stack.push('array');
        want = 'first-in-array';
        continue;
      } else if (!(c === '"' ? match(STRING) : c === '-' || (c !== undefined && c >= '0' && c <= '9') ? match(NUMBER) : match(LITERAL))) {
        return i;
      }
    } else if (want === 'key' || want === 'first-in-object') {
      if (want === 'first-in-object' && c === '}') {
        i++;
        stack.pop();
      } else {
        if (c !== '"' || !match(STRING)) return i;
        skip();
        if (text[i] !== ':') return i;
        i++;
        want = 'value';
        continue;
      }
    } else {
      const close = want === 'after-value-in-array' ? ']' : '}';
      if (c === ',') {
        i++;
        want = want === 'after-value-in-array' ? 'value' : 'key';
        continue;
      }
      if (c !== close) return i;
      i++;
      stack.pop();
    }
    // A value ended: what may follow depends on the container it is in.
    const top = stack.at(-1);
    if (top === undefined) {
      skip();
      return i < text.length ? i : undefined;
    }
    want = top === 'array' ? 'after-value-in-array' : 'after-value-in-object';
  }
}
