// Inputs tried per parser by the parser fuzz tests, printed once at the end of the file's run
// (the closing notes report these counts).

import { afterAll } from 'vitest';

/** Returns count(parser, accepted): call it once per generated input. */
export function parserCounts(): (parser: string, accepted: boolean) => void {
  const counts: Record<string, { tried: number; accepted: number; rejected: number }> = {};
  afterAll(() => {
    for (const [parser, c] of Object.entries(counts)) console.log(`parser fuzz: ${parser}: ${c.tried} inputs tried, ${c.accepted} accepted, ${c.rejected} rejected with one line`);
  });
  return (parser, accepted) => {
    const c = (counts[parser] ??= { tried: 0, accepted: 0, rejected: 0 });
    c.tried++;
    if (accepted) c.accepted++;
    else c.rejected++;
  };
}
