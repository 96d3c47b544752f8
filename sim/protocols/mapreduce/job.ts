// The job: word count over generated documents (Dean & Ghemawat, "MapReduce: Simplified Data
// Processing on Large Clusters", OSDI 2004, section 2.1's example), with its map and reduce functions
// and the sequential result the distributed run must equal. Pure, no engine.

import { atOrFail, type Rng } from '../../api/index.ts';

/** word -> count. */
export type Counts = Record<string, number>;

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa', 'quebec', 'romeo', 'sierra', 'tango', 'uniform', 'victor', 'whiskey', 'xray', 'yankee', 'zulu'];

/** `maps` documents (one per map split) of `words` words each, drawn from the first `vocabulary` words with a skew (Zipf-like: word k with weight 1/(k+1)). */
export function generateDocuments(rng: Rng, maps: number, words: number, vocabulary: number): string[][] {
  const vocab = WORDS.slice(0, vocabulary);
  const weights = vocab.map((_, k) => 1 / (k + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const draw = (): string => {
    let x = rng.next() * total;
    for (let k = 0; k < vocab.length; k++) {
      x -= atOrFail(weights, k, 'word weights');
      if (x < 0) return atOrFail(vocab, k, 'vocabulary');
    }
    return atOrFail(vocab, vocab.length - 1, 'vocabulary');
  };
  return Array.from({ length: maps }, () => Array.from({ length: words }, draw));
}

/** The partitioning function (section 4.1: hash(key) mod R), with a stable string hash (FNV-1a). */
export function partitionOf(word: string, reduces: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  return (h >>> 0) % reduces;
}

/** map(document) -> per reduce partition, word -> count (with the combiner of section 4.3 applied). */
export function mapDocument(doc: readonly string[], reduces: number): Counts[] {
  const parts: Counts[] = Array.from({ length: reduces }, () => ({}));
  for (const w of doc) {
    const p = atOrFail(parts, partitionOf(w, reduces), 'partitions');
    p[w] = (p[w] ?? 0) + 1;
  }
  return parts;
}

/** reduce(partition): sum the counts of every map's output for one partition. */
export function reduceCounts(inputs: readonly Counts[]): Counts {
  const out: Counts = {};
  for (const c of inputs) for (const w of Object.keys(c).sort()) out[w] = (out[w] ?? 0) + (c[w] as number);
  return out;
}

/** The sequential result: word count over every document. */
export function sequentialCount(docs: readonly (readonly string[])[]): Counts {
  const out: Counts = {};
  for (const d of docs) for (const w of d) out[w] = (out[w] ?? 0) + 1;
  return out;
}
