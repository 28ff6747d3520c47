/**
 * The contract abstract-level's private methods follow, which its `.d.ts`
 * leaves out: what `_open`, `_put`, `_iterator` and the others receive once
 * the public methods have validated, encoded and prefixed their arguments.
 * With the manifest's `encodings: { view: true }` every key, value and range
 * bound arrives as a Uint8Array.
 */
import type { AbstractSnapshot } from 'abstract-level'
import type { OpenOptions } from '../store/engine'

/** Options `_open` receives: both flags are always present. The engine takes them as they are. */
export type PrivateOpenOptions = OpenOptions

/** Options of a private write (`_put`, `_del`, `_batch`): user fields pass through. */
export interface PrivateWriteOptions {
  sync?: boolean
}

/** Options of a private read. */
export interface PrivateReadOptions {
  snapshot?: AbstractSnapshot
}

/** A range as the private iterator and clear methods receive it. */
export interface PrivateRangeOptions extends PrivateReadOptions {
  gt?: Uint8Array
  gte?: Uint8Array
  lt?: Uint8Array
  lte?: Uint8Array
  /** -1 for no limit. */
  limit: number
  reverse: boolean
}

/** Options of `_iterator`. */
export interface PrivateIteratorOptions extends PrivateRangeOptions {
  keys: boolean
  values: boolean
}

/** One operation as `_batch` receives it. */
export interface PrivateBatchOperation {
  type: 'put' | 'del'
  key: Uint8Array
  value?: Uint8Array
}
