/**
 * `db.diff()`: the differences between two versions of the database
 * (lib/tree/diff.ts) as an async iterator, keys and values decoded as reads
 * decode them. It is a resource of the database: closing the database ends
 * it, and a later `next()` rejects with LEVEL_DATABASE_NOT_OPEN. The
 * snapshots it compares stay referenced until it ends, so that their nodes
 * stay readable.
 */
import type { ResourceHost } from './resource-host'
import type { AbstractResource, AbstractSnapshot } from 'abstract-level'
import { levelError } from '../errors'
import { diffTrees } from '../tree/diff'
import type { DiffCounters, TreeDifference } from '../tree/diff'
import type { KeyRange } from '../tree/treap'
import type { Tree } from '../tree/tree'
import { fromBytes } from './formats'
import type { Decoder } from './changes'
import type { ProofSublevel } from './proofs'

/** Options of `db.diff()`: the version compared with `other`, a range, encodings and a sublevel. */
export interface DiffOptions<K = unknown> {
  /** A snapshot from `db.snapshot()`: the version after (default: the current state when iteration starts). */
  snapshot?: AbstractSnapshot
  gt?: K
  gte?: K
  lt?: K
  lte?: K
  /** How to encode range bounds and decode keys (default: the database's, or the sublevel's). */
  keyEncoding?: string | object
  /** How to decode values (default: the database's, or the sublevel's). */
  valueEncoding?: string | object
  /** A sublevel of this database: only its keys (nested sublevels' too), given without its prefix, as its iterators give them. */
  sublevel?: ProofSublevel
}

/** An entry in which two versions differ: its value in `other` (before) and in the version compared (after). */
export interface Difference<K = unknown, V = unknown> {
  key: K
  /** Undefined when the key is absent before. */
  before: V | undefined
  /** Undefined when the key is absent after. */
  after: V | undefined
}

/** What the iterator needs of the database. */
export interface DiffHost extends ResourceHost {
  /** The version of a snapshot (null: the current one), hashed. Throws LEVEL_DATABASE_NOT_OPEN when closed. */
  hashedVersion: (snapshot: AbstractSnapshot | null) => Promise<Tree>
}

/** How the stored differences become the caller's: the range in stored bytes and the decoders. */
export interface DiffPlan {
  readonly range: KeyRange
  readonly keys: Decoder
  readonly values: Decoder
  /** Bytes of the sublevel's prefix, cut off every key. */
  readonly prefixLength: number
}

/** The async iterator `db.diff()` returns. */
export class DiffIterator<K = unknown, V = unknown> implements AsyncIterableIterator<Difference<K, V>> {
  /** Subtrees opened and equal pairs skipped so far (both sides together). */
  readonly counters: DiffCounters = { opened: 0, skipped: 0 }
  // Started by the first next(); calls made meanwhile wait for the same start.
  #walk: Promise<AsyncGenerator<TreeDifference, void, undefined>> | null = null
  #held: AbstractSnapshot[] = []
  #done = false
  #closed = false
  readonly #resource: AbstractResource = {
    close: async () => { this.#closed = true; this.#end() },
    [Symbol.asyncDispose]: async () => { this.#closed = true; this.#end() }
  }

  constructor (
    private readonly host: DiffHost,
    private readonly other: AbstractSnapshot | null,
    private readonly snapshot: AbstractSnapshot | null,
    private readonly plan: DiffPlan
  ) {
    host.attachResource(this.#resource)
  }

  [Symbol.asyncIterator] (): this {
    return this
  }

  async next (): Promise<IteratorResult<Difference<K, V>>> {
    if (this.#closed) throw levelError('The database closed; the diff ended', 'LEVEL_DATABASE_NOT_OPEN')
    if (this.#done) return { done: true, value: undefined }
    if (this.host.status === 'opening') return await this.host.deferAsync(async () => await this.next())
    try {
      this.#walk ??= this.#start()
      const step = await (await this.#walk).next()
      if (step.done === true) {
        this.#end()
        return { done: true, value: undefined }
      }
      return { done: false, value: this.#decode(step.value) }
    } catch (err) {
      this.#end()
      throw err
    }
  }

  /** Stops the diff: later calls of next() are done. */
  async return (): Promise<IteratorResult<Difference<K, V>>> {
    this.#end()
    return { done: true, value: undefined }
  }

  /** Every remaining difference, in key order. */
  async all (): Promise<Array<Difference<K, V>>> {
    const out: Array<Difference<K, V>> = []
    for await (const difference of this) out.push(difference)
    return out
  }

  async #start (): Promise<AsyncGenerator<TreeDifference, void, undefined>> {
    for (const snapshot of [this.other, this.snapshot]) {
      if (snapshot === null) continue
      snapshot.ref()
      this.#held.push(snapshot)
    }
    const before = await this.host.hashedVersion(this.other)
    const after = await this.host.hashedVersion(this.snapshot)
    return diffTrees(before, after, this.plan.range, this.counters)
  }

  #end (): void {
    if (this.#done) return
    this.#done = true
    this.host.detachResource(this.#resource)
    // The versions compared are no longer needed: let the collector have what only they reach.
    this.#walk = null
    for (const snapshot of this.#held) snapshot.unref()
    this.#held = []
  }

  #decode (difference: TreeDifference): Difference<K, V> {
    const { keys, values, prefixLength } = this.plan
    const { before, after } = difference
    return {
      key: keys.decode(fromBytes(difference.key.subarray(prefixLength), keys.format)) as K,
      before: before === undefined ? undefined : values.decode(fromBytes(before, values.format)) as V,
      after: after === undefined ? undefined : values.decode(fromBytes(after, values.format)) as V
    }
  }
}
