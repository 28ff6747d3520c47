/**
 * Waiting for the database's next commit, for the long polls of `changes`
 * and `overview`, and its sequence number now.
 */
import type { MerkleLevel } from '../level/merkle-level'
import type { PinnedVersion } from './pins'

/**
 * Resolves when a batch after `since` is committed, or after `ms`: a long
 * poll. The live feed reads the log only (no roots); the answer is then read
 * as any other.
 */
export async function commitAfter (db: MerkleLevel<unknown, unknown>, since: number, ms: number): Promise<void> {
  const feed = db.changes({ since, live: true, roots: false })
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([feed.next(), new Promise(resolve => { timer = setTimeout(resolve, ms) })])
  } finally {
    clearTimeout(timer)
    await feed.return()
  }
}

/** The sequence number of the current state. */
export async function headOf (db: MerkleLevel<unknown, unknown>): Promise<number> {
  const snapshot = db.snapshot()
  try {
    return (snapshot as unknown as PinnedVersion['snapshot']).seq
  } finally {
    await snapshot.close()
  }
}
