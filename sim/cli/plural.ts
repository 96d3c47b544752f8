// Counted nouns in human output, one spelling for every command.

/** "1 run", "2 runs", "2 batches" (with `many`): a count and its noun, plural unless it is 1. */
export function plural(n: number, noun: string, many = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : many}`;
}
