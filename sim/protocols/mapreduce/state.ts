// What MapReduce nodes publish (the viewer's panel and the checkers read exactly this).

import type { Counts } from './job.ts';

/** One task as the coordinator sees it. */
export type TaskView = {
  /** idle: waiting for a worker; running: at least one attempt in progress; done: committed. */
  state: 'idle' | 'running' | 'done';
  /** Workers of the attempts in progress (two with a backup), or the worker holding the committed result (maps). */
  workers: string[];
  /** Attempts started so far (re-executions and backups included). */
  attempts: number;
};

/** The coordinator (`m`, role `coordinator`). */
export type CoordinatorState = {
  phase: 'map' | 'reduce' | 'done';
  maps: TaskView[];
  reduces: TaskView[];
  /** Per reduce task: completions accepted (exactly one when the job is done). */
  commits: number[];
  /** Map tasks re-executed because a worker failed (completed ones included). */
  reexecuted: number;
  /** Backup attempts launched (section 3.6). */
  backups: number;
  /** The job's output, once the coordinator declares it done (null before). */
  output: Counts | null;
  /** Local time the job was declared done, µs (null before). */
  doneAt: number | null;
};

/** A worker (`w1..wN`, role `server`). */
export type WorkerState = {
  /** Incarnation: a random number drawn at each start. */
  inc: number;
  /** The attempt running now, `map 3 #7`, or null. */
  task: string | null;
  /** Map tasks whose output this incarnation holds (lost on a crash). */
  outputs: number[];
  /** Attempts this incarnation finished. */
  finished: number;
};
