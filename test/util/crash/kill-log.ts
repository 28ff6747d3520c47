/**
 * The SIGKILL torture's shared vocabulary: what batch k writes (a function of
 * k alone, so that any process can rebuild the state after k batches), how it
 * is written (put, del, batch, chained batch, ranged clear, by k), and the
 * intent log the writer keeps with synchronous appends, which survive a
 * SIGKILL:
 *
 *   I k   batch k is about to be issued        A k   batch k was acknowledged
 *   V k   an open recovered exactly k batches  F …   a verification failed
 *   C     a clean close
 *
 * After a crash, the next open must recover k batches with
 * last-acknowledged ≤ k ≤ last-issued, counted since the last V line (the
 * batches after a V line continue from its k).
 */
import { readdirSync } from 'node:fs'
import type { MerkleLevel } from '../../../index'
import { rootOf } from '../db'

/** The write method batch k uses. */
export type WriteKind = 'batch' | 'put' | 'chained' | 'del' | 'clear' | 'big'

const KINDS: WriteKind[] = ['batch', 'put', 'chained', 'del', 'clear', 'batch', 'big', 'put']

/** How batch k is written. */
export function kindOf (k: number): WriteKind {
  return KINDS[(k * 7 + (k >> 3)) % KINDS.length]
}

/** The operations of batch k (string keys and values). */
export function opsOf (k: number): Array<{ type: 'put', key: string, value: string } | { type: 'del', key: string } | { type: 'clear', gte: string, lt: string }> {
  const slot = (n: number): string => `k${String(n % 40).padStart(2, '0')}`
  switch (kindOf(k)) {
    case 'put': return [{ type: 'put', key: slot(k), value: `${k}:`.repeat(1 + k % 9) }]
    case 'del': return [{ type: 'del', key: slot(k * 3) }]
    case 'clear': return [{ type: 'clear', gte: slot(k), lt: `${slot(k)}~` }]
    case 'big': return [{ type: 'put', key: `big${k % 3}`, value: String(k).repeat(1500) }, { type: 'put', key: 'last', value: String(k) }]
    default: return [
      { type: 'put', key: slot(k + 1), value: String(k) },
      { type: 'del', key: slot(k + 17) },
      { type: 'put', key: slot(k + 29), value: String(k).repeat(3) },
      { type: 'put', key: 'last', value: String(k) }
    ]
  }
}

/** Writes batch k to `db`. */
export async function writeBatch (db: MerkleLevel, k: number, sync: boolean): Promise<void> {
  const ops = opsOf(k)
  const options = { sync } as object
  const kind = kindOf(k)
  if (kind === 'put' || kind === 'del') {
    const op = ops[0]
    if (op.type === 'put') await db.put(op.key, op.value, options)
    else if (op.type === 'del') await db.del(op.key, options)
  } else if (kind === 'clear') {
    const op = ops[0] as { gte: string, lt: string }
    await db.clear({ gte: op.gte, lt: op.lt })
  } else if (kind === 'chained') {
    const chained = db.batch()
    for (const op of ops) {
      if (op.type === 'put') chained.put(op.key, op.value)
      else if (op.type === 'del') chained.del(op.key)
    }
    await chained.write(options)
  } else {
    await db.batch(ops.map(op => op.type === 'put' ? op : { type: 'del' as const, key: (op as { key: string }).key }), options)
  }
}

/** The entries after batches 1..k, in key order. */
export function entriesAfter (k: number): Array<[string, string]> {
  const state = new Map<string, string>()
  for (let j = 1; j <= k; j++) {
    for (const op of opsOf(j)) {
      if (op.type === 'put') state.set(op.key, op.value)
      else if (op.type === 'del') state.delete(op.key)
      else for (const key of [...state.keys()]) if (key >= op.gte && key < op.lt) state.delete(key)
    }
  }
  // The keys are ASCII: string order is byte order.
  return [...state.entries()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
}

/** What an intent log says the next open must recover. */
export interface LogBounds {
  lower: number
  upper: number
  /** Verification failures recorded so far. */
  failures: string[]
  /** Lines of each kind, for the report. */
  verified: number
}

/** Reads an intent log. */
export function boundsOf (log: string): LogBounds {
  let base = 0
  let acked = 0
  let issued = 0
  let verified = 0
  const failures: string[] = []
  for (const line of log.split('\n')) {
    const [tag, rest] = [line.slice(0, 1), line.slice(2)]
    if (tag === 'V') {
      base = Number(rest)
      acked = base
      issued = base
      verified++
    } else if (tag === 'A') acked = Math.max(acked, Number(rest))
    else if (tag === 'I') issued = Math.max(issued, Number(rest))
    else if (tag === 'F') failures.push(rest)
  }
  return { lower: acked, upper: issued, failures, verified }
}

/** Checks an open database against the bounds: exact contents after k batches, root, no temporary files. */
export async function verifyAgainst (db: MerkleLevel, bounds: LogBounds, directory: string): Promise<string[]> {
  const k = db.recovery?.seq ?? -1
  if (k < bounds.lower || k > bounds.upper) return [`recovered ${k} batches, expected ${bounds.lower}..${bounds.upper}`]
  const problems: string[] = []
  const expected = entriesAfter(k)
  const actual = await db.iterator().all()
  if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`contents after ${k} batches differ (${actual.length} entries, expected ${expected.length})`)
  const enc = new TextEncoder()
  const root = Buffer.from(await db.root()).toString('hex')
  if (root !== rootOf(expected.map(([key, value]) => [enc.encode(key), enc.encode(value)]))) problems.push(`root after ${k} batches differs from a fresh tree of the contents`)
  const temps = readdirSync(directory).filter(name => name.includes('.tmp-'))
  if (temps.length > 0) problems.push(`temporary files remain after open: ${temps.join(', ')}`)
  return problems
}
