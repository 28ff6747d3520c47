/**
 * The contract abstract-level's private methods follow, which its `.d.ts`
 * leaves out: what `_open`, `_put`, `_iterator` and the others receive once
 * the public methods have validated, encoded and prefixed their arguments.
 * Keys, values and range bounds arrive in the format of the caller's
 * encoding (formats.ts), and the `keyEncoding` and `valueEncoding` options
 * name the formats, of what came in and of what is to be returned.
 */
import type { AbstractSnapshot } from 'abstract-level'
import type { Encoded, Format } from './formats'
import type { OpenOptions } from '../store/engine'

/** Options `_open` receives: both flags are always present. The engine takes them as they are. */
export type PrivateOpenOptions = OpenOptions

/** Options of a private write (`_put`, `_del`, `_batch`): user fields pass through. */
export interface PrivateWriteOptions {
  sync?: boolean
}

/** Options of a private read (`_has`, `_hasMany`, and those below). */
export interface PrivateReadOptions {
  snapshot?: AbstractSnapshot
  /** The format of the keys given. */
  keyEncoding: Format
}

/** Options of `_get`, `_getSync` and `_getMany`. */
export interface PrivateGetOptions extends PrivateReadOptions {
  /** The format of the values to return. */
  valueEncoding: Format
}

/** A range as the private iterator and clear methods receive it. */
export interface PrivateRangeOptions extends PrivateReadOptions {
  gt?: Encoded
  gte?: Encoded
  lt?: Encoded
  lte?: Encoded
  /** -1 for no limit. */
  limit: number
  reverse: boolean
}

/** Options of `_iterator`. */
export interface PrivateIteratorOptions extends PrivateRangeOptions {
  keys: boolean
  values: boolean
  /** The format of the values to return (keys: `keyEncoding`). */
  valueEncoding: Format
}

/** One operation as `_batch` receives it. */
export interface PrivateBatchOperation {
  type: 'put' | 'del'
  key: Encoded
  value?: Encoded
}
