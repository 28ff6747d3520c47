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
 * It starts with the first `changes` request and stops after `idleMs`
 * without one (a primary nobody follows pays nothing), when the database
 * closes, or when the handler does.
 */
import type { MerkleLevel } from '../level/merkle-level'
import type { Change } from '../level/changes'
import { toHex } from '../bytes'
import { changeProofToJson } from '../tree/change-json'
import { operationToJson } from './json'

/** One change as the `changes` endpoint sends it (JSON text). */
export function changeJson (change: Change<Uint8Array, Uint8Array>): string {
  return JSON.stringify({
    seq: change.seq,
    root: change.root === null ? null : toHex(change.root),
    ops: change.ops.map(operationToJson),
    proof: change.proof === null || change.proof === undefined ? null : changeProofToJson(change.proof)
  })
}

/** How much a tail keeps. */
export interface TailBudget {
  /** At most this many bytes of JSON. */
  bytes: number
  /** At most this many batches. */
  count: number
  /** Stops after this long without a reader (ms). */
  idleMs: number
}

/** The latest batches of the feed of one database. */
export class FeedTail {
  readonly #budget: TailBudget
  readonly #parts: string[] = []
  #bytes = 0
  // The sequence number of the state the first kept batch applies to.
  #after: number
  #stopped = false
  readonly #feed: AsyncIterator<Change<Uint8Array, Uint8Array>>
  readonly #waiters = new Set<() => void>()
  #lastRead = Date.now()
  readonly #idle: NodeJS.Timeout

  /** Starts following `db`'s feed from its current state, `head`. */
  constructor (db: MerkleLevel<unknown, unknown>, head: number, budget: TailBudget) {
    this.#budget = budget
    this.#after = head
    this.#feed = db.changes<Uint8Array, Uint8Array>({ since: head, live: true, proofs: true, keyEncoding: 'view', valueEncoding: 'view' })[Symbol.asyncIterator]()
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
    return this.#after + this.#parts.length
  }

  /** Whether the batches after `since` are to be read here: `since` is not older than the tail (it may be ahead of it). */
  reaches (since: number): boolean {
    return !this.#stopped && since >= this.#after
  }

  /** The kept batches after `since` (which it reaches), at most `limit`: none yet when `since` is ahead of the tail. */
  read (since: number, limit: number): string[] {
    this.#lastRead = Date.now()
    const from = since - this.#after
    return this.#parts.slice(from, from + limit)
  }

  /** Resolves when a batch after `since` is kept, the tail stops, or `ms` pass. */
  async waitPast (since: number, ms: number): Promise<void> {
    this.#lastRead = Date.now()
    if (this.last > since || this.#stopped) return
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

  /** Stops following; readers fall back to the log. */
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
        this.#keep(changeJson(next.value))
      }
    } catch {
      // The database closed (or failed): the tail ends, and requests read the log, which says why.
    }
    await this.stop()
  }

  #keep (part: string): void {
    this.#parts.push(part)
    this.#bytes += part.length
    while (this.#parts.length > 1 && (this.#bytes > this.#budget.bytes || this.#parts.length > this.#budget.count)) {
      this.#bytes -= (this.#parts.shift() as string).length
      this.#after++
    }
    for (const wake of [...this.#waiters]) wake()
  }
}
