/**
 * The recent states of a database, for `step` (docs/REPLICATION.md): one
 * change proof from a follower's state to the newest, for the net change of
 * all the batches between, instead of a proof per batch. A follower at a
 * thousand commits a second is then one proof per poll behind, not a
 * thousand, on either side.
 *
 * The tail follows the log from the state it started at (a captured
 * version; the feed reads operations only, no roots), and keeps, for each
 * batch, the version after it (path copies of the one before, never
 * changed, so every kept version stays valid) and its operations as a
 * change proof states them (a ranged clear as the dels of the keys it
 * removed). Nothing is hashed until a step is asked for; hashing a kept
 * version fills the hash caches its successors share. It keeps the latest
 * batches within a count and a byte budget, starts with the first `step`
 * request and stops after `idleMs` without one, when the database closes,
 * or when the handler does.
 */
import type { MerkleLevel } from '../level/merkle-level'
import type { MerkleSnapshot } from '../level/snapshot'
import type { FeedOperation } from '../level/changes'
import type { WriteOp } from '../store/batch-record'
import { applyOps } from '../store/batch-record'
import { provableOps } from '../store/feed-proof'
import type { ChangeOp } from '../tree/change-proof'
import type { KeyRange } from '../tree/treap'
import type { Tree } from '../tree/tree'
import type { TailBudget } from './feed-tail'

// One kept batch: the version after it, and its operations as proofs state them.
interface Kept {
  tree: Tree
  ops: ChangeOp[]
  bytes: number
}

/** What a step from one kept state to a later one consists of. */
export interface Step {
  /** The version at the step's start. */
  from: Tree
  /** The net operations from there to the step's end: the last of each key, in key order. */
  ops: ChangeOp[]
}

// A key as a map key: one character per byte (latin1), so that strings sort as the bytes do.
function keyString (key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
}

/** The recent states of one database (see the file header). */
export class StepTail {
  readonly #budget: TailBudget
  #base: Tree
  // The sequence number of #base: the state the first kept batch applies to.
  #after: number
  readonly #kept: Kept[] = []
  #bytes = 0
  #stopped = false
  readonly #feed: AsyncIterator<{ seq: number, ops: Array<FeedOperation<Uint8Array, Uint8Array>> }>
  readonly #waiters = new Set<() => void>()
  #lastRead = Date.now()
  readonly #idle: NodeJS.Timeout

  /** Starts following `db` from its current state. */
  constructor (db: MerkleLevel<unknown, unknown>, budget: TailBudget) {
    this.#budget = budget
    // The version and the feed from its sequence number: no await between the two.
    const snapshot = db.snapshot() as unknown as MerkleSnapshot
    this.#base = snapshot.tree
    this.#after = snapshot.seq
    void snapshot.close().catch(() => {})
    this.#feed = db.changes<Uint8Array, Uint8Array>({ since: this.#after, live: true, roots: false, keyEncoding: 'view', valueEncoding: 'view' })[Symbol.asyncIterator]()
    this.#idle = setInterval(() => { if (Date.now() - this.#lastRead > budget.idleMs) void this.stop() }, Math.max(10, Math.min(budget.idleMs, 1000)))
    this.#idle.unref()
    void this.#follow()
  }

  /** False once stopped: a stopped tail is replaced by a new one. */
  get running (): boolean {
    return !this.#stopped
  }

  /** The last batch kept (or the state it started at). */
  get last (): number {
    return this.#after + this.#kept.length
  }

  /** Whether a step can start at `since`: it is not older than the tail (it may be ahead of it). */
  reaches (since: number): boolean {
    return !this.#stopped && since >= this.#after
  }

  /** The step from `since` (which it reaches, and not ahead of {@link last}) over the next `count` batches kept. */
  read (since: number, count: number): Step {
    this.#lastRead = Date.now()
    const from = since - this.#after
    const net = new Map<string, ChangeOp>()
    for (const kept of this.#kept.slice(from, from + count)) {
      for (const op of kept.ops) net.set(keyString(op.key), op)
    }
    const keys = [...net.keys()].sort()
    return { from: from === 0 ? this.#base : this.#kept[from - 1].tree, ops: keys.map(key => net.get(key) as ChangeOp) }
  }

  /** Resolves when a batch after `since` is kept, the tail stops, or `ms` pass. */
  async waitPast (since: number, ms: number): Promise<void> {
    this.#lastRead = Date.now()
    if (this.last > since || this.#stopped || ms === 0) return
    await new Promise<void>(resolve => {
      const wake = (): void => {
        if (this.last <= since && !this.#stopped) return
        clearTimeout(timer)
        this.#waiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(() => { this.#waiters.delete(wake); resolve() }, ms)
      this.#waiters.add(wake)
    })
  }

  /** Stops following. */
  async stop (): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    clearInterval(this.#idle)
    for (const wake of [...this.#waiters]) wake()
    await this.#feed.return?.()
  }

  async #follow (): Promise<void> {
    try {
      for (;;) {
        const next = await this.#feed.next()
        if (next.done === true || this.#stopped) break
        this.#keep(next.value.ops.map(storedOp))
      }
    } catch {
      // The database closed (or failed): the tail ends, and requests are answered without it.
    }
    await this.stop()
  }

  #keep (ops: WriteOp[]): void {
    const before = this.last === this.#after ? this.#base : this.#kept[this.#kept.length - 1].tree
    const stated = provableOps(before, ops)
    // Outside any edit: the new version copies the paths it changes, and no kept version changes.
    const tree = applyOps(before, ops)
    let bytes = 64
    for (const op of stated) bytes += op.key.length + (op.type === 'put' ? op.value.length : 0) + 32
    this.#kept.push({ tree, ops: stated, bytes })
    this.#bytes += bytes
    while (this.#kept.length > 1 && (this.#bytes > this.#budget.bytes || this.#kept.length > this.#budget.count)) {
      const first = this.#kept.shift() as Kept
      this.#bytes -= first.bytes
      this.#base = first.tree
      this.#after++
    }
    for (const wake of [...this.#waiters]) wake()
  }
}

// An operation of the feed (keys and values as views) as the store holds it.
function storedOp (op: FeedOperation<Uint8Array, Uint8Array>): WriteOp {
  if (op.type === 'put') return { type: 'put', key: op.key, value: op.value }
  if (op.type === 'del') return { type: 'del', key: op.key }
  return { type: 'clear', range: op.range as KeyRange }
}
