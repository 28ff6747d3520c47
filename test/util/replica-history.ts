/**
 * The primary's history in the replica SIGKILL tests: batch k is a function
 * of (seed, k) alone, so that a primary restarted after a kill continues the
 * same history from the batch it recovered, and the test can rebuild the
 * state and root after any k without asking it. A reference database,
 * extended on demand, gives the roots.
 */
import { MerkleLevel } from '../../index'
import { toHex } from '../../lib/bytes'
import { randomInt, seededRandom } from './sim/prng'
import { tempLocation } from './temp'

/** One write of the history: a batch of puts and dels, or a ranged clear. */
export type HistoryWrite =
  | { type: 'batch', ops: Array<{ type: 'put', key: string, value: string } | { type: 'del', key: string }> }
  | { type: 'clear', gte: string, lt: string }

// Keys k000..k299: a few hundred entries, enough for a full copy of many pages.
const KEYS = 300
const key = (n: number): string => `k${String(n % KEYS).padStart(3, '0')}`

/** Write number k (from 1) of the history seeded by `seed`. */
export function historyWrite (seed: number, k: number): HistoryWrite {
  const random = seededRandom(seed * 7919 + k)
  if (k % 23 === 0) {
    const from = randomInt(random, KEYS)
    return { type: 'clear', gte: key(from), lt: key(from + 1 + randomInt(random, 8)) }
  }
  const ops: Array<{ type: 'put', key: string, value: string } | { type: 'del', key: string }> = []
  for (let i = 1 + randomInt(random, 6); i > 0; i--) ops.push({ type: 'put', key: key(randomInt(random, KEYS)), value: `${k}.${i}:${'x'.repeat(randomInt(random, 40))}` })
  if (randomInt(random, 3) === 0) ops.push({ type: 'del', key: key(randomInt(random, KEYS)) })
  return { type: 'batch', ops }
}

/** Applies a write to a database (one batch, one sequence number), durable as the database's `sync` option says. */
export async function applyWrite (db: MerkleLevel, write: HistoryWrite): Promise<void> {
  if (write.type === 'clear') await db.clear({ gte: write.gte, lt: write.lt })
  else await db.batch(write.ops)
}

/** The states of the history, replayed on a map; asking for later states in turn replays each write once. */
export class HistoryStates {
  readonly #seed: number
  #state = new Map<string, string>()
  #seq = 0

  constructor (seed: number) {
    this.#seed = seed
  }

  /** The entries (sorted [key, value] hex pairs) after the first `seq` writes. */
  at (seq: number): Array<[string, string]> {
    if (seq < this.#seq) {
      this.#state = new Map()
      this.#seq = 0
    }
    for (; this.#seq < seq; this.#seq++) {
      const write = historyWrite(this.#seed, this.#seq + 1)
      if (write.type === 'clear') {
        for (const name of [...this.#state.keys()]) if (name >= write.gte && name < write.lt) this.#state.delete(name)
      } else {
        for (const op of write.ops) op.type === 'put' ? this.#state.set(op.key, op.value) : this.#state.delete(op.key)
      }
    }
    const hex = (s: string): string => Buffer.from(s).toString('hex')
    return [...this.#state.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([k, v]) => [hex(k), hex(v)])
  }
}

/** The roots of the history, computed by a reference database of this process. */
export class HistoryRoots {
  readonly #seed: number
  readonly #roots: string[] = []
  #db: MerkleLevel | null = null

  constructor (seed: number) {
    this.#seed = seed
  }

  /** The root after the first `seq` writes. */
  async at (seq: number): Promise<string> {
    if (this.#db === null) {
      this.#db = new MerkleLevel(tempLocation('history'), { sync: false })
      await this.#db.open()
      this.#roots.push(toHex(await this.#db.root()))
    }
    while (this.#roots.length <= seq) {
      await applyWrite(this.#db, historyWrite(this.#seed, this.#roots.length))
      this.#roots.push(toHex(await this.#db.root()))
    }
    return this.#roots[seq]
  }

  async close (): Promise<void> {
    await this.#db?.close()
  }
}
