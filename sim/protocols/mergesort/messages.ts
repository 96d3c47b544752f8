// Merge sort messages. Attempt ids are unique per coordinator.

export interface SortTask { type: 'sort'; chunk: number; attempt: number; keys: number[] }
export interface Sorted { type: 'sorted'; chunk: number; attempt: number }
export interface RunRef { chunk: number; worker: string; attempt: number }
export interface MergeTask { type: 'merge'; range: number; attempt: number; lo: number | null; hi: number | null; runs: RunRef[] }
export interface SliceReq { type: 'slice'; chunk: number; attempt: number; lo: number | null; hi: number | null; merge: number }
export interface SliceData { type: 'slice-data'; chunk: number; attempt: number; merge: number; keys: number[] }
export interface SliceMissing { type: 'slice-missing'; chunk: number; attempt: number; merge: number }
export interface Merged { type: 'merged'; range: number; attempt: number; keys: number[]; runs: RunRef[] }
/** A merge could not read a run (its holder lost it, or never answered): the coordinator re-executes that chunk. */
export interface MergeFailed { type: 'merge-failed'; range: number; attempt: number; run: RunRef }

export type MergeSortMessage = SortTask | Sorted | MergeTask | SliceReq | SliceData | SliceMissing | Merged | MergeFailed;
