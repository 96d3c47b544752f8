// A generic deep copy of a live object graph onto a template: how a driven
// simulation is snapshotted and restored without replaying its path.
//
// A live simulation cannot be copied by value alone: it holds closures (the
// engine's hosts, node contexts, the `random` draw RaftNode keeps) whose
// captured objects a copy cannot reach or re-bind. So a copy is grafted onto a
// *template*: a fresh object graph of the same shape, built the ordinary way
// (a new Driver for the same run), whose closures are bound to the template's
// own objects. The graft walks the source and the template side by side and
// writes the source's data into the template's objects wherever they pair
// (same position, same prototype), so every closure of the template sees the
// copied data; objects with no counterpart are copied fresh with their
// prototype. Functions are the template's (or the source's when the template
// has none there: a module function or a method needs no re-binding).
//
// Handled: prototypes (class instances stay instances), own enumerable
// properties, arrays, Maps and Sets (Map values pair by key), typed arrays,
// cycles and shared references (each source object is copied once), WeakSets and
// WeakMaps (rebuilt from the members that are reachable in the graph), frozen
// objects (immutable: shared, not copied), objects identical in source and
// template (constants such as the prepared run: shared). A `fn` hook copies
// functions that carry state of their own (seedrandom's generators, which
// expose `state()`).
//
// Not handled (and why it is sound here, see README "Snapshots"): state that
// lives only inside closures, out of reach of any walk. The template holds its
// initial value there. The engine's closures capture only objects that are also
// fields (which pair); checkers keep their memory in closures, which is why
// checkers are not grafted but re-derived (see tape.ts).

/** Options of graft. */
export interface GraftOptions {
  /** Copy a function that has state of its own; undefined: the template's function (or the source's). */
  fn?: (src: (...args: never[]) => unknown) => ((...args: never[]) => unknown) | undefined;
  /**
   * Called for a function with no counterpart in the template (it is shared with the source as it is:
   * right for a module function, wrong for a closure over the source's objects). Absent: shared silently.
   */
  unpaired?: (path: string) => void;
}

type Obj = Record<PropertyKey, unknown>;

/**
 * Copy `src` onto `template` (same shape: built the same way) and return the copy, which reuses the
 * template's objects where they pair. `template` must not be used on its own afterwards. Throws
 * TypeError for objects it cannot copy (a Proxy cannot be told apart: never pass one).
 */
export function graft<T extends object>(src: T, template: T, opts: GraftOptions = {}): T {
  const memo = new Map<object, object>();
  const used = new Set<object>();
  const weak: [WeakSet<object> | WeakMap<object, unknown>, WeakSet<object> | WeakMap<object, unknown>][] = [];

  const copy = (v: unknown, t: unknown): unknown => {
    if (typeof v === 'function') {
      const own = opts.fn?.(v as (...args: never[]) => unknown);
      if (own !== undefined) return own;
      if (typeof t === 'function') return t;
      opts.unpaired?.((v as { name?: string }).name ?? '?');
      return v;
    }
    if (v === null || typeof v !== 'object') return v;
    const done = memo.get(v);
    if (done !== undefined) return done;
    if (v === t || Object.isFrozen(v)) {
      memo.set(v, v);
      return v;
    }
    if (ArrayBuffer.isView(v)) {
      // Views over one buffer stay over one (copied) buffer.
      let buf = memo.get(v.buffer) as ArrayBuffer | undefined;
      if (buf === undefined) memo.set(v.buffer, (buf = (v.buffer as ArrayBuffer).slice(0)));
      const Ctor = v.constructor as new (b: ArrayBuffer, offset: number, length: number) => ArrayBufferView;
      const length = v instanceof DataView ? v.byteLength : (v as unknown as { length: number }).length;
      const c = new Ctor(buf, v.byteOffset, length);
      memo.set(v, c);
      return c;
    }
    if (v instanceof ArrayBuffer) {
      const c = v.slice(0);
      memo.set(v, c);
      return c;
    }
    if (v instanceof WeakSet || v instanceof WeakMap) {
      const c = v instanceof WeakSet ? new WeakSet<object>() : new WeakMap<object, unknown>();
      memo.set(v, c);
      weak.push([v, c]);
      return c;
    }
    const proto = Object.getPrototypeOf(v) as object | null;
    const pair = t !== null && typeof t === 'object' && !used.has(t) && !Object.isFrozen(t) && Object.getPrototypeOf(t) === proto && memo.get(t) === undefined ? (t as object) : undefined;
    if (pair !== undefined) used.add(pair);
    if (v instanceof Map) {
      const fresh = (pair as Map<unknown, unknown> | undefined) ?? new Map<unknown, unknown>();
      if (proto !== Map.prototype) Object.setPrototypeOf(fresh, proto);
      memo.set(v, fresh);
      const old = pair ? new Map(pair as Map<unknown, unknown>) : undefined;
      fresh.clear();
      for (const [k, x] of v) fresh.set(copy(k, undefined), copy(x, old?.get(k)));
      copyOwn(v as unknown as Obj, fresh as unknown as Obj, pair as unknown as Obj | undefined);
      return fresh;
    }
    if (v instanceof Set) {
      const fresh = (pair as Set<unknown> | undefined) ?? new Set<unknown>();
      if (proto !== Set.prototype) Object.setPrototypeOf(fresh, proto);
      memo.set(v, fresh);
      fresh.clear();
      for (const x of v) fresh.add(copy(x, undefined));
      copyOwn(v as unknown as Obj, fresh as unknown as Obj, pair as unknown as Obj | undefined);
      return fresh;
    }
    if (Array.isArray(v)) {
      const fresh = (pair as unknown[] | undefined) ?? [];
      if (proto !== Array.prototype) Object.setPrototypeOf(fresh, proto);
      memo.set(v, fresh);
      const old = pair ? (pair as unknown[]).slice() : undefined;
      fresh.length = v.length;
      for (let i = 0; i < v.length; i++) fresh[i] = copy(v[i], old?.[i]);
      return fresh;
    }
    const fresh = (pair as Obj | undefined) ?? (Object.create(proto) as Obj);
    memo.set(v, fresh);
    copyOwn(v as Obj, fresh, pair as Obj | undefined);
    return fresh;
  };

  /**
   * Own enumerable string-keyed properties of v onto target (the template object itself when paired:
   * each key's old value pairs with the source's before it is overwritten). Non-enumerable and
   * symbol-keyed own properties are not copied (none in the engine or the protocols here).
   */
  const copyOwn = (v: Obj, target: Obj, pair: Obj | undefined): void => {
    const keys = Object.keys(v);
    if (pair !== undefined) {
      const had = Object.keys(pair);
      if (had.length !== keys.length || had.some((k, i) => keys[i] !== k)) for (const k of had) if (!Object.prototype.hasOwnProperty.call(v, k)) delete pair[k];
    }
    for (const k of keys) {
      const value = copy(v[k], pair?.[k]);
      try {
        target[k] = value;
      } catch {
        Object.defineProperty(target, k, { value, writable: false, enumerable: true, configurable: true });
      }
    }
  };

  const root = copy(src, template) as T;
  for (const [s, c] of weak) {
    for (const [from, to] of memo) {
      if (!s.has(from)) continue;
      if (s instanceof WeakSet) (c as WeakSet<object>).add(to);
      else (c as WeakMap<object, unknown>).set(to, copy((s as WeakMap<object, unknown>).get(from), undefined));
    }
  }
  return root;
}
