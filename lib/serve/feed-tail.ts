/**
 * The recent end of the change feed, kept ready for followers. A feed that
 * starts at an older `since` must first rebuild the state there, replaying
 * the log from the last checkpoint: at a thousand commits a second, a
 * follower one step behind would pay that on every request. The tail
 * instead follows the live feed from the state it started at (no replay),
 * computing each batch's root and change proof once, however many followers
 * read it, and keeps the JSON of the latest batches (within a byte and a
 * count budget). The `changes` endpoint answers from it whenever `since` is
 * within it; anything older is read from the log as before.
 *
 * It starts with the first long poll of `changes` and stops after `idleMs`
 * without a request (a primary nobody follows pays nothing), when the
 * database closes, or when the handler does (live-tail.ts).
 */
import type { MerkleLevel } from '../level/merkle-level'
import type { Change } from '../level/changes'
import { toHex } from '../bytes'
import { changeProofToJson } from '../tree/change-json'
import { operationToJson } from './json'
import { LiveTail } from './live-tail'
import type { TailBudget } from './live-tail'

export type { TailBudget } from './live-tail'

/** One change as the `changes` endpoint sends it (JSON text). */
export function changeJson (change: Change<Uint8Array, Uint8Array>): string {
  return JSON.stringify({
    seq: change.seq,
    root: change.root === null ? null : toHex(change.root),
    ops: change.ops.map(operationToJson),
    proof: change.proof === null || change.proof === undefined ? null : changeProofToJson(change.proof)
  })
}

/** The latest batches of the feed of one database, as the `changes` endpoint sends them. */
export class FeedTail extends LiveTail<string> {
  /** Starts following `db`'s feed from its current state, `head`. */
  constructor (db: MerkleLevel<unknown, unknown>, head: number, budget: TailBudget) {
    super(db.changes<Uint8Array, Uint8Array>({ since: head, live: true, proofs: true, keyEncoding: 'view', valueEncoding: 'view' }), head, budget)
  }

  protected keep (change: Change<Uint8Array, Uint8Array>): { kept: string, bytes: number } {
    const part = changeJson(change)
    return { kept: part, bytes: part.length }
  }

  /** The kept batches after `since` (which it reaches), at most `limit`: none yet when `since` is ahead of the tail. */
  read (since: number, limit: number): string[] {
    this.touch()
    const from = since - this.after
    return this.kept.slice(from, from + limit)
  }
}
