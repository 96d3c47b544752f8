// Module resolve hook, registered by bin/faultline.js only when it runs the TypeScript sources (no
// up-to-date dist/): a user module in this repository (examples/, templates) that imports `faultline`
// or `faultline/vitest` gets the sources the CLI itself runs, not a missing or stale dist/.
const SOURCES = {
  faultline: new URL('../sim/index.ts', import.meta.url).href,
  'faultline/vitest': new URL('../sim/vitest/index.ts', import.meta.url).href,
};

export async function resolve(specifier, context, next) {
  const target = Object.hasOwn(SOURCES, specifier) ? SOURCES[specifier] : undefined;
  return next(target ?? specifier, context);
}
