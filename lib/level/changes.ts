/**
 * `db.changes()`: the change feed (lib/store/change-feed.ts) as an async
 * iterator, with keys and values in the encodings asked for (the stored
 * bytes by default). It is a resource of the database: closing the database
 * closes it, and a pending or later `next()` then rejects with
 * LEVEL_DATABASE_NOT_OPEN; `return()` (a `break` out of `for await`) ends it.
 */
import type { ResourceHost } from './resource-host'
import type { AbstractResource } from 'abstract-level'
import { levelError } from '../errors'
import type { WriteOp } from '../store/batch-record'
import type { Change as StoredChange, ChangeFeed } from '../store/change-feed'
import type { ChangeProof } from '../tree/change-proof'
import { fromBytes } from './formats'
import type { Format } from './formats'

/** Options of `db.changes()`. */
export interface ChangesOptions {
  /** Start after this batch's sequence number (default 0: from the first batch the log still holds). */
  since?: number
  /** Follow commits after the last one until the iterator is stopped or the database closes (default false). */
  live?: boolean
  /**
   * Compute the Merkle root after each batch (default true). It costs about
   * what the write itself cost (the batch is applied again to a tree version
   * of the feed's own, and the paths it changed hashed); false reads the log
   * alone, and every `root` is null.
   */
  roots?: boolean
  /**
   * With each batch, a change proof from the root before it to its `root`
   * (default false): `proof`, verified with `verifyChangeProof(proof, { from,
   * to: root })` where `from` is the root after the batch before. Null for a
   * batch whose prior state the feed does not hold (the first batches of
   * a feed that starts before the newest image, as for roots). A ranged
   * clear is stated as the dels of the keys it removed. Costs about a second
   * application of the batch.
   */
  proofs?: boolean
  /** How to decode keys and range bounds (default 'view': the stored bytes, as Uint8Array). */
  keyEncoding?: string | object
  /** How to decode values (default 'view'). */
  valueEncoding?: string | object
}

/** A range of a ranged clear, its bounds decoded. */
export interface FeedRange<K> { gt?: K, gte?: K, lt?: K, lte?: K, limit?: number, reverse?: boolean }

/** An operation of a committed batch. */
export type FeedOperation<K, V> =
  | { type: 'put', key: K, value: V }
  | { type: 'del', key: K }
  | { type: 'clear', range: FeedRange<K> }

/** A committed batch: its sequence number, its operations, and the Merkle root after it (or null). */
export interface Change<K = Uint8Array, V = Uint8Array> {
  seq: number
  ops: Array<FeedOperation<K, V>>
  /** The root after this batch; null when the state before it is in no file (README, "Change feed"). */
  root: Uint8Array | null
  /** With the `proofs` option: the change proof of this batch, or null (see {@link ChangesOptions.proofs}). */
  proof?: ChangeProof | null
}

/** What the iterator needs of the database. */
export interface ChangesHost extends ResourceHost {
  /** A feed of the open database; throws LEVEL_DATABASE_NOT_OPEN when it is not. */
  openFeed: () => ChangeFeed
}

/** An encoding as level-transcoder normalizes it. */
export interface Decoder { format: Format, decode: (data: unknown) => unknown }

/** The async iterator `db.changes()` returns. */
export class ChangeIterator<K = Uint8Array, V = Uint8Array> implements AsyncIterableIterator<Change<K, V>> {
  #feed: ChangeFeed | null = null
  #done = false
  // The database closed before this iterator read anything: it never starts (not on a reopened database either).
  #closed = false
  readonly #resource: AbstractResource = {
    close: async () => await this.#closeFeed(),
    [Symbol.asyncDispose]: async () => await this.#closeFeed()
  }

  constructor (private readonly host: ChangesHost, private readonly keys: Decoder, private readonly values: Decoder) {
    host.attachResource(this.#resource)
    // Made now when the database is open: a feed that is not live ends at the batch committed now.
    if (host.status === 'open') this.#feed = host.openFeed()
  }

  [Symbol.asyncIterator] (): this {
    return this
  }

  async next (): Promise<IteratorResult<Change<K, V>>> {
    if (this.#done) return { done: true, value: undefined }
    if (this.#closed) throw levelError('The database closed; the change feed ended', 'LEVEL_DATABASE_NOT_OPEN')
    if (this.host.status === 'opening') return await this.host.deferAsync(async () => await this.next())
    this.#feed ??= this.host.openFeed()
    const change = await this.#feed.next()
    if (change === null) {
      await this.return()
      return { done: true, value: undefined }
    }
    return { done: false, value: this.#decode(change) }
  }

  /** Stops the feed: later calls of next() are done. */
  async return (): Promise<IteratorResult<Change<K, V>>> {
    this.#done = true
    this.host.detachResource(this.#resource)
    await this.#feed?.end()
    return { done: true, value: undefined }
  }

  async #closeFeed (): Promise<void> {
    this.host.detachResource(this.#resource)
    this.#closed = true
    await this.#feed?.close()
  }

  #decode (change: StoredChange): Change<K, V> {
    const decoded: Change<K, V> = { seq: change.seq, ops: change.ops.map(op => this.#decodeOp(op)), root: change.root }
    if (change.proof !== undefined) decoded.proof = change.proof
    return decoded
  }

  #decodeOp (op: WriteOp): FeedOperation<K, V> {
    if (op.type === 'put') return { type: 'put', key: this.#key(op.key), value: this.values.decode(fromBytes(op.value, this.values.format)) as V }
    if (op.type === 'del') return { type: 'del', key: this.#key(op.key) }
    const range: FeedRange<K> = {}
    for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
      const bytes = op.range[bound]
      if (bytes !== undefined) range[bound] = this.#key(bytes)
    }
    if (op.range.limit !== undefined) range.limit = op.range.limit
    if (op.range.reverse === true) range.reverse = true
    return { type: 'clear', range }
  }

  #key (bytes: Uint8Array): K {
    return this.keys.decode(fromBytes(bytes, this.keys.format)) as K
  }
}

/** The `since`, `live`, `roots` and `proofs` options checked: LEVEL_INVALID_VALUE names the first that is wrong. */
export function checkedChangesOptions (options: ChangesOptions | undefined): { since: number, live: boolean, roots: boolean, proofs: boolean } {
  const since = options?.since ?? 0
  const live = options?.live ?? false
  const roots = options?.roots ?? true
  const proofs = options?.proofs ?? false
  if (typeof since !== 'number' || !Number.isSafeInteger(since) || since < 0) {
    throw levelError("The 'since' option must be a sequence number: an integer of 0 or more", 'LEVEL_INVALID_VALUE')
  }
  if (typeof live !== 'boolean') throw levelError("The 'live' option must be a boolean", 'LEVEL_INVALID_VALUE')
  if (typeof roots !== 'boolean') throw levelError("The 'roots' option must be a boolean", 'LEVEL_INVALID_VALUE')
  if (typeof proofs !== 'boolean') throw levelError("The 'proofs' option must be a boolean", 'LEVEL_INVALID_VALUE')
  if (proofs && !roots) throw levelError("The 'proofs' option needs roots: it cannot be combined with 'roots: false'", 'LEVEL_INVALID_VALUE')
  return { since, live, roots, proofs }
}
