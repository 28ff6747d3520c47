/**
 * The batch record: the payload of one WAL frame, one atomic batch.
 *
 *     u64 LE  sequence number
 *     u32 LE  number of operations
 *     operations, each one of
 *       0x01 put    varint keyLength, key, varint valueLength, value
 *       0x02 del    varint keyLength, key
 *       0x03 clear  u8 flags, then the bounds present in flag order, each as
 *                   varint length + bytes, then varint limit if flagged
 *                   flags: 1 gt, 2 gte, 4 lt, 8 lte, 16 reverse, 32 limit
 *
 * A ranged clear is logged as its range, not as the keys it removed: replay
 * applies it to the same state in the same order, so it removes the same
 * keys, and a clear of a million keys stays a few bytes in the log.
 */
import { ByteReader, compareKeys, keyPrefix, readU64LE, varintLength, writeU32LE, writeU64LE, writeVarint } from '../bytes'
import type { Result } from '../result'
import type { KeyRange } from '../tree/treap'

/** One operation of a batch, keys and values already encoded to bytes. */
export type WriteOp = PutOp | DelOp | ClearOp

/** Sets a key. */
export interface PutOp { type: 'put', key: Uint8Array, value: Uint8Array }
/** Deletes a key. */
export interface DelOp { type: 'del', key: Uint8Array }
/** Deletes a range (with a limit and direction, as abstract-level's clear()). */
export interface ClearOp { type: 'clear', range: KeyRange }

/** A batch with its sequence number. */
export interface BatchRecord {
  seq: number
  ops: WriteOp[]
}

/** Size of a record's header: the sequence number and the operation count. */
export const RECORD_HEADER_SIZE = 12

/**
 * What is wrong with a record's header, as {@link decodeRecord} says it
 * (other problems are described with the operation they concern).
 */
export const RecordProblem = {
  short: `record shorter than its ${RECORD_HEADER_SIZE}-byte header`,
  sequenceZero: 'record sequence number 0',
  sequenceTooLarge: 'record sequence number above 2^53 - 1, the largest ever written'
} as const

const PUT = 0x01
const DEL = 0x02
const CLEAR = 0x03
const F_GT = 1
const F_GTE = 2
const F_LT = 4
const F_LTE = 8
const F_REVERSE = 16
const F_LIMIT = 32

function sized (bytes: Uint8Array): number {
  return varintLength(bytes.length) + bytes.length
}

function rangeBounds (range: KeyRange): Array<Uint8Array | undefined> {
  return [range.gt, range.gte, range.lt, range.lte]
}

/** Bytes the payload of `ops` takes. */
export function recordSize (ops: readonly WriteOp[]): number {
  let n = RECORD_HEADER_SIZE
  for (const op of ops) {
    n += 1
    if (op.type === 'put') n += sized(op.key) + sized(op.value)
    else if (op.type === 'del') n += sized(op.key)
    else {
      n += 1
      for (const b of rangeBounds(op.range)) if (b !== undefined) n += sized(b)
      if (hasLimit(op.range)) n += varintLength(op.range.limit as number)
    }
  }
  return n
}

function hasLimit (range: KeyRange): boolean {
  return range.limit !== undefined && range.limit >= 0
}

function putBytes (buf: Uint8Array, at: number, bytes: Uint8Array): number {
  at = writeVarint(buf, at, bytes.length)
  buf.set(bytes, at)
  return at + bytes.length
}

/**
 * Encodes a batch at `at` (exactly {@link recordSize} bytes) and returns the
 * operations rewritten to views of the encoded copy: the tree stores those,
 * so a caller that later mutates its own buffers cannot change stored data.
 */
export function encodeRecord (buf: Uint8Array, at: number, seq: number, ops: readonly WriteOp[]): WriteOp[] {
  writeU64LE(buf, at, seq)
  writeU32LE(buf, at + 8, ops.length)
  at += RECORD_HEADER_SIZE
  const stored: WriteOp[] = new Array(ops.length)
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]
    if (op.type === 'put') {
      buf[at++] = PUT
      const k = at + varintLength(op.key.length)
      at = putBytes(buf, at, op.key)
      const v = at + varintLength(op.value.length)
      at = putBytes(buf, at, op.value)
      stored[i] = { type: 'put', key: buf.subarray(k, k + op.key.length), value: buf.subarray(v, v + op.value.length) }
    } else if (op.type === 'del') {
      buf[at++] = DEL
      const k = at + varintLength(op.key.length)
      at = putBytes(buf, at, op.key)
      stored[i] = { type: 'del', key: buf.subarray(k, k + op.key.length) }
    } else {
      buf[at++] = CLEAR
      const r = op.range
      const flags = (r.gt !== undefined ? F_GT : 0) | (r.gte !== undefined ? F_GTE : 0) |
        (r.lt !== undefined ? F_LT : 0) | (r.lte !== undefined ? F_LTE : 0) |
        (r.reverse === true ? F_REVERSE : 0) | (hasLimit(r) ? F_LIMIT : 0)
      buf[at++] = flags
      for (const b of rangeBounds(r)) if (b !== undefined) at = putBytes(buf, at, b)
      if (hasLimit(r)) at = writeVarint(buf, at, r.limit as number)
      stored[i] = op
    }
  }
  return stored
}

/** Decodes a payload, or says why it is malformed. Keys and values are views into `payload`. */
export function decodeRecord (payload: Uint8Array): Result<{ record: BatchRecord }> {
  if (payload.length < RECORD_HEADER_SIZE) return { ok: false, problem: RecordProblem.short }
  // Read apart from the count: a sequence number beyond what a double holds is not a short record.
  const seq = readU64LE(payload, 0)
  if (seq < 0) return { ok: false, problem: RecordProblem.sequenceTooLarge }
  if (seq < 1) return { ok: false, problem: RecordProblem.sequenceZero }
  const reader = new ByteReader(payload, 8)
  const count = reader.u32() as number
  // Each operation takes at least two bytes: an absurd count fails here, before any allocation.
  if (count * 2 > reader.remaining) return { ok: false, problem: 'operation count larger than the record' }
  const ops: WriteOp[] = []
  for (let i = 0; i < count; i++) {
    const type = reader.u8()
    if (type === PUT) {
      const key = reader.lengthPrefixed()
      const value = key === null ? null : reader.lengthPrefixed()
      if (key === null || value === null) return { ok: false, problem: `malformed put at operation ${i}` }
      ops.push({ type: 'put', key, value })
    } else if (type === DEL) {
      const key = reader.lengthPrefixed()
      if (key === null) return { ok: false, problem: `malformed del at operation ${i}` }
      ops.push({ type: 'del', key })
    } else if (type === CLEAR) {
      const range = decodeRange(reader)
      if (range === null) return { ok: false, problem: `malformed clear at operation ${i}` }
      ops.push({ type: 'clear', range })
    } else {
      return { ok: false, problem: `unknown operation type at operation ${i}` }
    }
  }
  if (reader.remaining !== 0) return { ok: false, problem: 'trailing bytes after the last operation' }
  return { ok: true, record: { seq, ops } }
}

function decodeRange (reader: ByteReader): KeyRange | null {
  const flags = reader.u8()
  if (flags === null || flags > 63) return null
  if ((flags & F_GT) !== 0 && (flags & F_GTE) !== 0) return null
  if ((flags & F_LT) !== 0 && (flags & F_LTE) !== 0) return null
  const range: KeyRange = {}
  const names = ['gt', 'gte', 'lt', 'lte'] as const
  for (let bit = 0; bit < 4; bit++) {
    if ((flags & (1 << bit)) === 0) continue
    const bound = reader.lengthPrefixed()
    if (bound === null) return null
    range[names[bit]] = bound
  }
  if ((flags & F_REVERSE) !== 0) range.reverse = true
  if ((flags & F_LIMIT) !== 0) {
    const limit = reader.varint()
    if (limit === null) return null
    range.limit = limit
  }
  return range
}

// Batches at least this long are applied in key order (see applyOps).
const SORTED_APPLY_MIN = 64

type Appliable<T> = { put: (k: Uint8Array, v: Uint8Array) => T, del: (k: Uint8Array) => T, delRange: (r: KeyRange) => T }

/**
 * Applies a batch's operations to a tree version, with the effect of applying
 * them in order. A long run of puts and deletes is applied in key order
 * instead (a stable sort: operations on one key keep their order, and
 * operations on different keys commute): consecutive descents then share the
 * upper levels of the tree, which stay in the cache. A range delete is applied
 * where it stands.
 */
export function applyOps<T extends Appliable<T>> (tree: T, ops: readonly WriteOp[]): T {
  let from = 0
  for (let i = 0; i <= ops.length; i++) {
    const op = ops[i]
    if (i < ops.length && op.type !== 'clear') continue
    tree = i - from >= SORTED_APPLY_MIN ? applySorted(tree, ops, from, i) : applyInOrder(tree, ops, from, i)
    if (i < ops.length) tree = tree.delRange((op as ClearOp).range)
    from = i + 1
  }
  return tree
}

function applyInOrder<T extends Appliable<T>> (tree: T, ops: readonly WriteOp[], from: number, to: number): T {
  for (let i = from; i < to; i++) tree = applyOne(tree, ops[i] as PutOp | DelOp)
  return tree
}

function applyOne<T extends Appliable<T>> (tree: T, op: PutOp | DelOp): T {
  return op.type === 'put' ? tree.put(op.key, op.value) : tree.del(op.key)
}

function applySorted<T extends Appliable<T>> (tree: T, ops: readonly WriteOp[], from: number, to: number): T {
  const order = new Array<number>(to - from)
  const prefixes = new Array<number>(to - from)
  for (let i = from; i < to; i++) {
    order[i - from] = i
    prefixes[i - from] = keyPrefix((ops[i] as PutOp | DelOp).key)
  }
  order.sort((a, b) =>
    compareKeys((ops[a] as PutOp | DelOp).key, prefixes[a - from], (ops[b] as PutOp | DelOp).key, prefixes[b - from]) || a - b)
  for (const i of order) tree = applyOne(tree, ops[i] as PutOp | DelOp)
  return tree
}
