/**
 * The batches recovery replays, collected into the state in runs: the puts
 * and deletes of many consecutive batches together. Operations on different
 * keys commute and those on one key keep their order, so applying a run in
 * key order (applyOps sorts a long run, stably) gives the state that applying
 * each batch in turn gives; but consecutive descents share their paths, and
 * each block of the image is read about once. A range delete ends a run: it
 * is applied where it stands.
 *
 * Deferred, a run is not applied at all: its operations stay pending
 * (pending-ops.ts) for the engine to apply after open.
 */
import { Tree } from '../tree/tree'
import { applyOps } from './batch-record'
import type { DelOp, PutOp, WriteOp } from './batch-record'
import { LiveState } from './live-state'
import { PendingOps } from './pending-ops'

/** Operations held before a run is applied: a bound on the log bytes a run keeps alive. */
export const REPLAY_RUN_OPS = 1 << 20

/** The state a replay builds, with the run not applied yet (see the file header). */
export class ReplayRun {
  readonly #live: LiveState
  // One edit for the whole replay: runs reuse the nodes earlier runs created. No version made
  // under it escapes before the replay ends.
  readonly #edit = Tree.newEdit()
  #ops: WriteOp[] = []
  readonly #pending: PendingOps | null

  constructor (start: Tree, options: { defer?: boolean, runOps?: number } = {}) {
    this.#live = new LiveState(start)
    this.#pending = options.defer === true ? new PendingOps() : null
    this.runOps = options.runOps ?? REPLAY_RUN_OPS
  }

  readonly runOps: number

  /** Adds a batch's operations (views that stay valid: wal/reader.ts). */
  add (ops: readonly WriteOp[]): void {
    if (ops.some(op => op.type === 'clear')) {
      this.#flush(true)
      this.#apply(ops)
      return
    }
    if (this.#pending !== null) {
      for (const op of ops) this.#pending.add(op as PutOp | DelOp)
      return
    }
    for (const op of ops) this.#ops.push(op)
    if (this.#ops.length >= this.runOps) this.#flush(false)
  }

  /** The state after every batch added, but for the pending operations when deferred. */
  get tree (): Tree {
    this.#flush(false)
    return this.#live.tree
  }

  /** The operations not applied to {@link tree} (deferred only; null when none). */
  get pending (): PendingOps | null {
    return this.#pending !== null && this.#pending.size > 0 ? this.#pending : null
  }

  // Applies the run; with `all`, the pending operations too (a range delete must see them).
  #flush (all: boolean): void {
    if (all && this.#pending !== null && this.#pending.size > 0) this.#apply(this.#pending.take(Infinity))
    if (this.#ops.length === 0) return
    const ops = this.#ops
    this.#ops = []
    this.#apply(ops)
  }

  #apply (ops: readonly WriteOp[]): void {
    const live = this.#live
    live.tree = live.tree.edit(tree => {
      live.tree = tree
      return applyOps(live, ops).tree
    }, this.#edit)
  }
}
