// Latency distributions. Each draw is rounded to whole microseconds and never negative.

import type { Latency } from './config.ts';
import type { Rng } from './random.ts';
import type { Micros } from './types.ts';

export function sampleLatency(lat: Latency, rng: Rng): Micros {
  switch (lat.kind) {
    case 'constant':
      return lat.value;
    case 'uniform':
      return lat.min + Math.floor(rng.next() * (lat.max - lat.min + 1));
    case 'exponential':
      return (lat.min ?? 0) + Math.round(-lat.mean * Math.log(1 - rng.next()));
    case 'lognormal': {
      // Box-Muller; 1 - u keeps the logarithm finite.
      const u1 = 1 - rng.next();
      const u2 = rng.next();
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      return (lat.min ?? 0) + Math.round(lat.median * Math.exp(lat.sigma * z));
    }
  }
}

/** Mean of a latency distribution, in µs (for documentation and sanity tests). */
export function meanLatency(lat: Latency): number {
  switch (lat.kind) {
    case 'constant':
      return lat.value;
    case 'uniform':
      return (lat.min + lat.max) / 2;
    case 'exponential':
      return (lat.min ?? 0) + lat.mean;
    case 'lognormal':
      return (lat.min ?? 0) + lat.median * Math.exp((lat.sigma * lat.sigma) / 2);
  }
}
