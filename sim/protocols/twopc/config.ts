// Configuration of a two-phase commit cluster: one coordinator, participants
// that each own a shard of accounts, and clients that run money transfers.
// Timeouts are on each node's local clock. Planted bugs are off by default;
// each one is caught by a named checker (see checkers.ts).

import { z } from 'zod';
import { duration, durationText, positiveDuration, WHEN_VALID } from '../../api/durations.ts';

/** Most open (undecided or unacknowledged) transactions a coordinator may be configured to hold. */
export const MAX_OPEN_TRANSACTIONS = 4096;

const span = z
  .object({ min: duration, max: duration })
  .strict()
  .superRefine((s, ctx) => {
    if (s.max < s.min) ctx.addIssue({ code: 'custom', path: ['max'], message: `max ${durationText(s.max)} must be >= min ${durationText(s.min)}` });
  });

export const twopcBugs = z
  .object({
    /** Coordinator announces commit and writes its decision record lazily (no fsync before sending). Caught by decision-stable. */
    commitBeforeLog: z.boolean().default(false),
    /** Participant votes yes with its prepared record still unsynced. Caught by atomicity. */
    voteYesWithoutLog: z.boolean().default(false),
    /** An in-doubt participant aborts on its own when its termination timer fires. Caught by atomicity. */
    inDoubtDecidesAlone: z.boolean().default(false),
    /** Coordinator counts missing votes as yes when its vote timer fires. Caught by commit-validity. */
    presumeYesOnTimeout: z.boolean().default(false),
    /** Participant applies a commit every time the decision arrives (resends, duplicates). Caught by money-conserved. */
    nonIdempotentCommit: z.boolean().default(false),
    /** Participant forgets to release its locks when a transaction aborts. Caught by locks-released. */
    keepLocksOnAbort: z.boolean().default(false),
    /** Restarted participant re-acquires the locks of in-doubt transactions but never asks for the outcome. Caught by in-doubt-resolves. */
    noQueryAfterRecovery: z.boolean().default(false),
    /** In-doubt participant with cooperative termination ignores the outcome its peers tell it. Caught by cooperative-termination. */
    ignorePeerOutcome: z.boolean().default(false),
    /** Coordinator answers an in-doubt participant's query while it still collects votes, from its log (no record: abort), and may commit later. Caught by in-doubt-resolves or decision-stable (the participant that aborted on the answer never acknowledges the commit). */
    answerQueryWhileVoting: z.boolean().default(false),
    /** With cooperative termination, a prepared (uncertain) participant tells an asking peer "abort" instead of "uncertain". Caught by atomicity. */
    preparedPeerAnswersAbort: z.boolean().default(false),
  })
  .strict();

export const twopcConfig = z
  .object({
    participants: z.number().int().min(2).max(16).default(3),
    clients: z.number().int().min(0).max(64).default(5),
    accountsPerShard: z.number().int().min(1).max(64).default(10),
    initialBalance: z.number().int().min(0).default(100),
    /** Transfer amounts are drawn uniformly from [min, max]; above a balance the debit votes no. */
    amount: z
      .object({ min: z.number().int().min(1), max: z.number().int().min(1) })
      .strict()
      .superRefine((a, ctx) => {
        if (a.max < a.min) ctx.addIssue({ code: 'custom', path: ['max'], message: `max ${a.max} must be >= min ${a.min}` });
      })
      .default({ min: 1, max: 40 }),
    /** Transfers per client (default: no limit, clients run for the whole scenario). */
    transfers: z.number().int().min(0).optional(),
    /** Pause of a client between two transfers. */
    think: span.default({ min: 1000, max: 10_000 }),
    /** How long a client waits for the outcome before recording it as unknown (info). */
    clientTimeout: positiveDuration.default(1_000_000),
    /** Coordinator: how long to wait for work acknowledgements and votes before aborting. */
    voteTimeout: positiveDuration.default(200_000),
    /** Coordinator: re-send work and prepare to participants that have not answered, at this interval, until the vote timeout. */
    retryInterval: positiveDuration.default(50_000),
    /** Participant: how long an unvoted transaction may hold its locks before the participant aborts it alone. */
    workTimeout: positiveDuration.default(400_000),
    /** In-doubt participant: interval between two outcome queries. */
    queryInterval: positiveDuration.default(150_000),
    /** Coordinator: interval between two re-sends of a commit decision that is not acknowledged. */
    resendInterval: positiveDuration.default(150_000),
    /** Run the cooperative termination protocol (ask the other participants) ... */
    cooperative: z.boolean().default(false),
    /** ... after this many unanswered queries to the coordinator. */
    cooperativeAfter: z.number().int().min(0).default(2),
    /**
     * Coordinator: most transactions open at once (deciding, or committed and not yet acknowledged by
     * every participant: a crashed participant keeps them open). A begin beyond it is refused (the
     * client gets an abort). At least `clients`: each client has one transfer in flight.
     */
    maxOpenTransactions: z.number().int().min(1).max(MAX_OPEN_TRANSACTIONS).default(256),
    /** Liveness: after the quiesce point, every transaction must resolve within this bound. */
    livenessBound: duration.default(1_000_000),
    bugs: twopcBugs.default({
      commitBeforeLog: false,
      voteYesWithoutLog: false,
      inDoubtDecidesAlone: false,
      presumeYesOnTimeout: false,
      nonIdempotentCommit: false,
      keepLocksOnAbort: false,
      noQueryAfterRecovery: false,
      ignorePeerOutcome: false,
      answerQueryWhileVoting: false,
      preparedPeerAnswersAbort: false,
    }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.maxOpenTransactions < c.clients) {
      ctx.addIssue({ code: 'custom', path: ['maxOpenTransactions'], message: `expected at least one open transaction per client: maxOpenTransactions >= clients (${c.clients})` });
    }
  }, WHEN_VALID);

export type TwoPcConfig = z.output<typeof twopcConfig>;
export type TwoPcBugs = z.output<typeof twopcBugs>;
