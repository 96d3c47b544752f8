// The only way the viewer makes DOM: elements with text content and
// attributes, never HTML strings. Text from a trace (message contents, state,
// log lines, violation messages) can hold anything, so it only ever becomes a
// text node.

type Child = Node | string | number | null | undefined | false;

export interface ElOptions {
  class?: string;
  title?: string;
  /** data-testid, for the end-to-end tests. */
  testid?: string;
  attrs?: Record<string, string>;
  style?: Partial<Record<'background' | 'color' | 'width' | 'left' | 'borderColor' | 'opacity', string>>;
  onclick?: (ev: MouseEvent) => void;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, opts: ElOptions | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (opts) {
    if (opts.class) e.className = opts.class;
    if (opts.title !== undefined) e.title = opts.title;
    if (opts.testid) e.dataset.testid = opts.testid;
    if (opts.attrs) for (const [k, v] of Object.entries(opts.attrs)) e.setAttribute(k, v);
    if (opts.style) Object.assign(e.style, opts.style);
    if (opts.onclick) e.addEventListener('click', opts.onclick as EventListener);
  }
  append(e, ...children);
  return e;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replace all children of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (SVGElement | string | null)[]): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) {
    if (c === null) continue;
    e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}
