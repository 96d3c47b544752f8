// What merge sort nodes publish (the viewer's panel and the checkers read exactly this).

export type SortTaskView = {
  state: 'idle' | 'running' | 'done';
  /** Worker of the running attempt, or holding the sorted run (chunks) / that produced the range (ranges). */
  worker: string | null;
  attempts: number;
};

/** The coordinator (`m`, role `coordinator`): "the runs being merged". */
export type SortCoordinatorState = {
  phase: 'sort' | 'merge' | 'done';
  chunks: SortTaskView[];
  ranges: SortTaskView[];
  splitters: number[];
  /** Chunks sorted again because their run was lost or late. */
  reexecuted: number;
  /** The sorted output, once every range is merged (null before). */
  output: number[] | null;
  doneAt: number | null;
};

/** A worker (`w1..wN`, role `server`). */
export type SortWorkerState = {
  /** Chunks whose sorted run it holds (lost on a crash). */
  runs: number[];
  task: string | null;
};
