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
 * or when the handler does (live-tail.ts).
 */
import type { MerkleLevel } from '../level/merkle-level'
import type { MerkleSnapshot } from '../level/snapshot'
import type { Change, FeedOperation } from '../level/changes'
import type { WriteOp } from '../store/batch-record'
import { applyOps } from '../store/batch-record'
import { provableOps } from '../store/feed-proof'
import { PendingOps } from '../store/pending-ops'
import type { ChangeOp } from '../tree/change-proof'
import type { KeyRange } from '../tree/treap'
import type { Tree } from '../tree/tree'
import { LiveTail } from './live-tail'
import type { TailBudget } from './live-tail'

// One kept batch: the version after it, and its operations as proofs state them.
interface Kept {
  tree: Tree
  ops: ChangeOp[]
}

/** What a step from one kept state to a later one consists of. */
export interface Step {
  /** The version at the step's start. */
  from: Tree
  /** The net operations from there to the step's end: the last of each key, in key order. */
  ops: ChangeOp[]
}

/** The recent states of one database (see the file header). */
export class StepTail extends LiveTail<Kept> {
  #base: Tree

  /** Starts following `db` from its current state. */
  constructor (db: MerkleLevel<unknown, unknown>, budget: TailBudget) {
    // The version and the feed from its sequence number: no await between the two.
    const snapshot = db.snapshot() as unknown as MerkleSnapshot
    void snapshot.close().catch(() => {})
    super(db.changes<Uint8Array, Uint8Array>({ since: snapshot.seq, live: true, roots: false, keyEncoding: 'view', valueEncoding: 'view' }), snapshot.seq, budget)
    this.#base = snapshot.tree
  }

  /** The step from `since` (which it reaches, and not ahead of {@link last}) over the next `count` batches kept. */
  read (since: number, count: number): Step {
    this.touch()
    const from = since - this.after
    // The last operation of each key, in key order: what a write buffer keeps.
    const net = new PendingOps()
    for (const kept of this.kept.slice(from, from + count)) {
      for (const op of kept.ops) net.add(op)
    }
    return { from: from === 0 ? this.#base : this.kept[from - 1].tree, ops: net.sorted() }
  }

  protected keep (change: Change<Uint8Array, Uint8Array>): { kept: Kept, bytes: number } {
    const ops = change.ops.map(storedOp)
    const before = this.kept.length === 0 ? this.#base : this.kept[this.kept.length - 1].tree
    const stated = provableOps(before, ops)
    // Outside any edit: the new version copies the paths it changes, and no kept version changes.
    const tree = applyOps(before, ops)
    let bytes = 64
    for (const op of stated) bytes += op.key.length + (op.type === 'put' ? op.value.length : 0) + 32
    return { kept: { tree, ops: stated }, bytes }
  }

  protected override dropped (first: Kept): void {
    this.#base = first.tree
  }
}

// An operation of the feed (keys and values as views) as the store holds it.
function storedOp (op: FeedOperation<Uint8Array, Uint8Array>): WriteOp {
  if (op.type === 'put') return { type: 'put', key: op.key, value: op.value }
  if (op.type === 'del') return { type: 'del', key: op.key }
  return { type: 'clear', range: op.range as KeyRange }
}
