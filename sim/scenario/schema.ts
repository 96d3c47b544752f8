// The scenario format, as a zod schema: the one definition behind TypeScript
// scenario modules, JSON scenario files, trace headers and generated runs.
// Durations are integer µs or strings with a unit ("10ms", "1.5s").

import { z } from 'zod';
import { canonicalSeed } from './seed.ts';

export { MAX_DURATION, WHEN_VALID, duration, positiveDuration, signedDuration } from '../api/durations.ts';
import { duration, durationText, signedDuration } from '../api/durations.ts';

const probability = z.number().min(0).max(1);
const nodeId = z.string().min(1);

export const latencySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant'), value: duration }).strict(),
  z.object({ kind: z.literal('uniform'), min: duration, max: duration }).strict().superRefine((l, ctx) => {
    if (l.max < l.min) ctx.addIssue({ code: 'custom', path: ['max'], message: `max ${durationText(l.max)} must be >= min ${durationText(l.min)}` });
  }),
  z.object({ kind: z.literal('exponential'), mean: duration, min: duration.optional() }).strict(),
  z.object({ kind: z.literal('lognormal'), median: duration, sigma: z.number().positive(), min: duration.optional() }).strict(),
]);

const linkFields = {
  latency: latencySchema,
  loss: probability,
  duplicate: probability,
  fifo: z.boolean(),
  retransmit: duration,
};

export const networkSchema = z
  .object({
    latency: latencySchema.default({ kind: 'uniform', min: 1000, max: 10_000 }),
    loss: probability.default(0),
    duplicate: probability.default(0),
    fifo: z.boolean().default(false),
    retransmit: duration.optional(),
    links: z
      .array(
        z
          .object({
            from: z.union([nodeId, z.literal('*')], { error: 'expected a node id or "*"' }),
            to: z.union([nodeId, z.literal('*')], { error: 'expected a node id or "*"' }),
            latency: linkFields.latency.optional(),
            loss: linkFields.loss.optional(),
            duplicate: linkFields.duplicate.optional(),
            fifo: linkFields.fifo.optional(),
            retransmit: linkFields.retransmit.optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export const clockSchema = z
  .object({
    offset: signedDuration.default(0),
    drift: z.number().gt(-1).lt(1).default(0),
  })
  .strict();

/** A node a fault hits: a node id, `@<role>` (resolved when the fault fires) or `$<id>` (the node the fault labelled `id` hit). */
const target = z.string().min(1, 'expected a node id, "@<role>" or "$<fault id>"');
const faultId = z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected a fault id of letters, digits, "_" and "-"');
/** When a fault fires (see FaultSchedule in sim/engine/config.ts): `at`, or a trigger (`on`) or another fault (`after`) plus a `delay`. */
const at = {
  at: duration.optional(),
  id: faultId.optional(),
  on: z
    .object({
      event: z.string().min(1, 'expected the name of one of the protocol\'s triggers'),
      nth: z.number().int().min(1).optional(),
      node: target.optional(),
    })
    .strict()
    .optional(),
  after: faultId.optional(),
  delay: duration.optional(),
};
const splits = ['alone', 'minority-with', 'majority-with'] as const;
export const faultSchema = z
  .discriminatedUnion('kind', [
    z.object({ ...at, kind: z.literal('crash'), node: target }).strict(),
    z.object({ ...at, kind: z.literal('restart'), node: target }).strict(),
    z.object({ ...at, kind: z.literal('pause'), node: target }).strict(),
    z.object({ ...at, kind: z.literal('resume'), node: target }).strict(),
    z
      .object({
        ...at,
        kind: z.literal('partition'),
        groups: z.array(z.array(target).min(1)).min(2).optional(),
        split: z.enum(splits, { error: `expected a split: one of ${splits.join(', ')}` }).optional(),
        around: target.optional(),
      })
      .strict(),
    z.object({ ...at, kind: z.literal('isolate'), node: target }).strict(),
    z.object({ ...at, kind: z.literal('block'), from: target, to: target }).strict(),
    z.object({ ...at, kind: z.literal('heal') }).strict(),
    z.object({ ...at, kind: z.literal('clock'), node: target, offset: signedDuration.optional(), drift: z.number().gt(-1).lt(1).optional() }).strict(),
    z.object({ ...at, kind: z.literal('loss'), p: probability }).strict(),
    z.object({ ...at, kind: z.literal('duplicate'), p: probability }).strict(),
    z.object({ ...at, kind: z.literal('slow'), node: target, to: target.optional(), factor: z.number().min(1, 'expected a latency factor >= 1 (1: normal latency)').max(10_000, 'expected a latency factor <= 10000') }).strict(),
    z.object({ ...at, kind: z.literal('corrupt'), node: target, key: z.string().optional() }).strict(),
    z.object({ ...at, kind: z.literal('quiesce') }).strict(),
    // Re-fork every random stream of the run from here on (sim/engine/config.ts): a branch of a reached state.
    z.object({ ...at, kind: z.literal('reseed'), salt: z.string().min(1) }).strict(),
  ])
  .superRefine((f, ctx) => {
    if (f.at === undefined && f.on === undefined && f.after === undefined) {
      ctx.addIssue({ code: 'custom', path: ['at'], message: 'missing: expected a duration (or a trigger `on` or `after`)' });
    }
    if (f.on !== undefined && f.after !== undefined) ctx.addIssue({ code: 'custom', path: ['after'], message: 'expected either `on` or `after`, not both' });
    if (f.delay !== undefined && f.on === undefined && f.after === undefined) {
      ctx.addIssue({ code: 'custom', path: ['delay'], message: 'a delay needs a trigger `on` or `after`' });
    }
    if (f.kind === 'partition') {
      const byGroups = f.groups !== undefined;
      const bySplit = f.split !== undefined || f.around !== undefined;
      if (byGroups === bySplit) ctx.addIssue({ code: 'custom', path: ['groups'], message: 'expected either groups, or split and around' });
      else if (bySplit && (f.split === undefined || f.around === undefined)) {
        ctx.addIssue({ code: 'custom', path: [f.split === undefined ? 'split' : 'around'], message: `missing: a partition aimed at a node needs split (${splits.join(', ')}) and around` });
      }
    }
  })
  // `at` first, as before: a trace header's timeline reads back byte for byte.
  .transform((f) => ({ at: f.at ?? 0, ...f }));

// The values in the message (`max 1s must be >= min 2s`): a cross-field rule names what it compared.
const span = z
  .object({ min: duration, max: duration })
  .strict()
  .superRefine((s, ctx) => {
    if (s.max < s.min) ctx.addIssue({ code: 'custom', path: ['max'], message: `max ${durationText(s.max)} must be >= min ${durationText(s.min)}` });
  });
const rate = z.number().min(0);

export const nemesisSchema = z
  .object({
    targets: z.array(nodeId).optional(),
    from: duration.optional(),
    until: duration.optional(),
    crash: z.object({ rate, downtime: span }).strict().optional(),
    partition: z.object({ rate, duration: span }).strict().optional(),
    pause: z.object({ rate, duration: span }).strict().optional(),
    clock: z.object({ rate, maxOffset: duration, maxDrift: z.number().min(0).lt(1) }).strict().optional(),
    loss: z.object({ rate, p: probability, duration: span }).strict().optional(),
  })
  .strict();

export const expectSchema = z.union([z.literal('no-violation'), z.object({ violation: z.string().min(1) }).strict()], {
  error: 'expected "no-violation" or { "violation": "<checker name>" }',
});

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case name of letters, digits and dashes'),
    description: z.string().min(1),
    protocol: z.string().min(1),
    config: z.record(z.string(), z.unknown()).default({}),
    seed: z.union([z.string().min(1), z.number().int()], { error: 'expected a seed: an integer or a non-empty string' }).transform(canonicalSeed).default(1),
    duration,
    network: networkSchema.default({ latency: { kind: 'uniform', min: 1000, max: 10_000 }, loss: 0, duplicate: 0, fifo: false, links: [] }),
    clocks: z.record(nodeId, clockSchema).default({}),
    disk: z.object({ corruptOnCrash: probability.default(0) }).strict().default({ corruptOnCrash: 0 }),
    faults: z
      .object({
        timeline: z.array(faultSchema).default([]),
        nemesis: nemesisSchema.optional(),
      })
      .strict()
      .default({ timeline: [] }),
    /** Names of the protocol's checkers to run; default: all of them. */
    checkers: z.array(z.string()).optional(),
    /**
     * The protocol's recovery oracle (sim/api/recovery.ts, checker "recovery"): default on for a protocol
     * that declares its durability rule (unless `checkers` leaves it out); false switches it off.
     */
    recovery: z.boolean().optional(),
    /** Stop at the first violation (default) or keep going and collect them all. */
    stopOnViolation: z.boolean().default(true),
    expect: expectSchema.default('no-violation'),
    /** A driven run (sim/explore/driver.ts): the label of each step, e.g. "deliver n1->n2 vote-req #3", instead of seeded timing. */
    schedule: z.array(z.string().min(1)).optional(),
  })
  .strict();

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type Expectation = z.output<typeof expectSchema>;
