// Baseline for the pingpong benchmark: the same workload as a hand-tuned loop
// over typed arrays (a 4-ary-free binary heap of (time, seq) with the target
// node in a parallel array), with no engine, no nodes and no contexts. It is
// what the engine's rate is compared with, in the same process.

import seedrandom from 'seedrandom';

export function baselinePingpong(deliveries: number, seed = 'pingpong'): { delivered: number; lost: number } {
  const rnd = seedrandom.alea(seed);
  const cap = 2048;
  const time = new Float64Array(cap);
  const seq = new Float64Array(cap);
  const dest = new Int32Array(cap);
  let size = 0;
  let nextSeq = 0;
  let lost = 0;

  const push = (t: number, to: number): void => {
    let i = size++;
    const s = nextSeq++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (time[p]! < t || (time[p] === t && seq[p]! < s)) break;
      time[i] = time[p]!;
      seq[i] = seq[p]!;
      dest[i] = dest[p]!;
      i = p;
    }
    time[i] = t;
    seq[i] = s;
    dest[i] = to;
  };
  const send = (now: number): void => {
    let delay = 0;
    while (rnd() < 0.01) {
      lost++;
      delay += 1000 + Math.floor(rnd() * 9001);
    }
    push(now + delay + 1000 + Math.floor(rnd() * 9001), Math.floor(rnd() * 5));
  };

  for (let i = 0; i < 1000; i++) send(0);
  let delivered = 0;
  while (delivered < deliveries && size > 0) {
    const now = time[0]!;
    // Pop the minimum and sift the last element down.
    size--;
    const lt = time[size]!;
    const ls = seq[size]!;
    const ld = dest[size]!;
    let i = 0;
    while (true) {
      const l = 2 * i + 1;
      if (l >= size) break;
      let c = l;
      if (l + 1 < size && (time[l + 1]! < time[l]! || (time[l + 1] === time[l] && seq[l + 1]! < seq[l]!))) c = l + 1;
      if (lt < time[c]! || (lt === time[c] && ls < seq[c]!)) break;
      time[i] = time[c]!;
      seq[i] = seq[c]!;
      dest[i] = dest[c]!;
      i = c;
    }
    time[i] = lt;
    seq[i] = ls;
    dest[i] = ld;
    delivered++;
    send(now);
  }
  return { delivered, lost };
}
