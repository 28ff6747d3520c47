/**
 * How `db.prove()` and `db.proveRange()` turn user keys into the bytes the
 * tree holds: through the key encoding, like any read, and through a
 * sublevel's prefix when one is given (abstract-level batches take the same
 * `sublevel` option), and how `db.proveChange()` encodes its operations as
 * batch() does. A proof always speaks of the stored bytes: a sublevel's
 * proofs show its keys with the sublevel's prefix, and a range of a sublevel
 * without bounds covers exactly the sublevel's key space.
 */
import type { AbstractLevel, AbstractSnapshot } from 'abstract-level'
import { levelError } from '../errors'
import type { RangeQuery } from '../tree/prove'
import type { ChangeOp } from '../tree/change-proof'
import { toBytes } from './formats'
import type { Encoded } from './formats'

/** Options of `db.prove()`. */
export interface ProveOptions {
  /** A snapshot from `db.snapshot()`: prove against that version's root. */
  snapshot?: AbstractSnapshot
  /** Key encoding of this call (default: the database's, or the sublevel's). */
  keyEncoding?: string | object
  /** A sublevel of this database: the key is one of its keys, encoded and prefixed as the sublevel does. */
  sublevel?: ProofSublevel
}

/** What the `sublevel` option needs of a sublevel (any `db.sublevel(name)` has it). */
export interface ProofSublevel {
  /** The root database. */
  readonly db: unknown
  prefixKey: (key: Uint8Array, keyFormat: 'view', local?: boolean) => Uint8Array
}

/** A range as iterators take it, plus the options of {@link ProveOptions}. */
export interface ProveRangeOptions<K = unknown> {
  gt?: K
  gte?: K
  lt?: K
  lte?: K
  /** At most this many entries (a negative number, Infinity or absent: no limit). */
  limit?: number
  reverse?: boolean
}

interface Encoding {
  encode: (data: unknown) => unknown
  format: string
}

// The owner of the keys: the database itself or a sublevel of it; the key encoding it uses for this call.
function keySpace (db: AbstractLevel<unknown, unknown, unknown>, options: ProveOptions | undefined): { owner: AbstractLevel<unknown, unknown, unknown>, encoding: Encoding } {
  const sublevel = options?.sublevel
  if (sublevel !== undefined && (sublevel as { db?: unknown }).db !== db) {
    throw levelError('The sublevel option must be a sublevel of this database', 'LEVEL_INVALID_VALUE')
  }
  const owner = (sublevel ?? db) as AbstractLevel<unknown, unknown, unknown>
  const encoding = (owner.keyEncoding as (name?: unknown) => Encoding)(options?.keyEncoding)
  return { owner, encoding }
}

function storedKey (owner: AbstractLevel<unknown, unknown, unknown>, encoding: Encoding, key: unknown, isSublevel: boolean): Uint8Array {
  const bytes = toBytes(encoding.encode(key) as Encoded)
  // The global prefix: the path from the root database down to the sublevel.
  return isSublevel ? owner.prefixKey(bytes, 'view', false) : bytes
}

/** The stored bytes of `key` for a proof. */
export function proofKey (db: AbstractLevel<unknown, unknown, unknown>, key: unknown, options: ProveOptions | undefined): Uint8Array {
  if (key === null || key === undefined) throw levelError('Key cannot be null or undefined', 'LEVEL_INVALID_KEY')
  const { owner, encoding } = keySpace(db, options)
  return storedKey(owner, encoding, key, owner !== db)
}

/** The stored-byte range of a range proof. */
export function proofRange (db: AbstractLevel<unknown, unknown, unknown>, range: ProveRangeOptions | undefined, options: ProveOptions | undefined): RangeQuery {
  const { owner, encoding } = keySpace(db, options)
  const isSublevel = owner !== db
  const query: RangeQuery = {
    reverse: range?.reverse === true,
    limit: Number.isInteger(range?.limit) && (range?.limit as number) >= 0 ? range?.limit : -1
  }
  for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
    if (range?.[bound] !== undefined) query[bound] = storedKey(owner, encoding, range[bound], isSublevel)
  }
  if (isSublevel) {
    // An open side ends at the sublevel's edge: its prefix, and the prefix with the last separator raised by one.
    const prefix = owner.prefixKey(new Uint8Array(0), 'view', false)
    if (query.gt === undefined && query.gte === undefined) query.gte = prefix
    if (query.lt === undefined && query.lte === undefined) {
      const upper = prefix.slice()
      upper[upper.length - 1]++
      query.lt = upper
    }
  }
  return query
}

/** Options of `db.proveChange()`; the encodings apply to every operation that names none, as batch() does. */
export interface ProveChangeOptions {
  /** A snapshot from `db.snapshot()`: prove applying the operations to that version. */
  snapshot?: AbstractSnapshot
  keyEncoding?: string | object
  valueEncoding?: string | object
}

/** One operation of `db.proveChange()`, as batch() takes it. */
export interface ChangeOperation {
  type: 'put' | 'del'
  key: unknown
  value?: unknown
  keyEncoding?: string | object
  valueEncoding?: string | object
  /** A sublevel of this database: the key (and value) are encoded and the key prefixed as the sublevel does. */
  sublevel?: ProofSublevel
}

/** The stored bytes of a change's operations, encoded as batch() encodes them. */
export function changeOps (db: AbstractLevel<unknown, unknown, unknown>, operations: unknown, options: ProveChangeOptions | undefined): ChangeOp[] {
  if (!Array.isArray(operations)) throw levelError("The first argument 'operations' must be an array", 'LEVEL_INVALID_VALUE')
  return operations.map((op: unknown): ChangeOp => {
    if (typeof op !== 'object' || op === null) throw levelError('A batch operation must be an object', 'LEVEL_INVALID_VALUE')
    const { type, key, value, sublevel } = op as ChangeOperation
    if (type !== 'put' && type !== 'del') throw levelError("A batch operation must have a type property that is 'put' or 'del'", 'LEVEL_INVALID_VALUE')
    const keyOptions = { sublevel, keyEncoding: (op as ChangeOperation).keyEncoding ?? options?.keyEncoding }
    const stored = proofKey(db, key, keyOptions)
    if (type === 'del') return { type, key: stored }
    if (value === null || value === undefined) throw levelError('Value cannot be null or undefined', 'LEVEL_INVALID_VALUE')
    const { owner } = keySpace(db, keyOptions)
    const encoding = (owner.valueEncoding as (name?: unknown) => Encoding)((op as ChangeOperation).valueEncoding ?? options?.valueEncoding)
    return { type, key: stored, value: toBytes(encoding.encode(value) as Encoded) }
  })
}
