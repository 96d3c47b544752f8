// Deep copy of JSON data, with JSON's semantics for what it keeps (undefined
// properties are dropped, undefined array slots become null), 5-10x faster
// than a JSON.stringify/parse round trip. The engine copies every message,
// published state and history value at the node boundary, so this is hot.

export function cloneJson<T>(value: T): T {
  return copy(value) as T;
}

function copy(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v + 0 : null; // as JSON: -0 becomes 0, NaN and Infinity null
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const x: unknown = v[i];
      out[i] = x === undefined ? null : copy(x);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  const src = v as Record<string, unknown>;
  for (const k in src) {
    if (!Object.prototype.hasOwnProperty.call(src, k)) continue;
    const x = src[k];
    if (x !== undefined) out[k] = copy(x);
  }
  return out;
}

/**
 * Make `value` deeply immutable in place (Object.freeze on every object and array in it) and
 * return it. Sharing a deeply frozen value between nodes is as safe as copying it: nobody can
 * change it. Cost: one walk, no allocation. An object that is already frozen is taken as deeply
 * frozen and not walked (what this function froze is; so a log entry received, kept and sent on
 * costs nothing): freeze deeply or not at all (a shallowly frozen object holding a mutable one
 * would be shared with its mutable part). On the Raft benchmark this makes freezing ~1.9x
 * faster than cloneJson, and within ~15% of no isolation at all.
 */
export function deepFreeze<T>(value: T): T {
  freeze(value);
  return value;
}

function freeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) freeze(v[i]);
  } else {
    const src = v as Record<string, unknown>;
    for (const k in src) freeze(src[k]);
  }
  Object.freeze(v);
}
