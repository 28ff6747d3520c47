/**
 * A small database with a known history for the replication tests, and the
 * roots and entries after each of its batches (from computeRoot, not from
 * the database).
 */
import { MerkleLevel, startReplicationServer } from '../../index'
import type { ReplicationServer, ReplicationServerOptions } from '../../index'
import { computeRoot } from '../../verify'
import { toHex } from '../../lib/bytes'
import { tempLocation } from '../util/temp'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** The states after batches 0 (empty) to 5, as sorted [key, value] strings. */
export const STATES: Array<Array<[string, string]>> = [
  [],
  [['a', '1'], ['b', '2']],
  [['a', '1'], ['b', '2'], ['c', '3']],
  [['b', '2'], ['c', '3']],
  [['b', '2'], ['c', '3'], ['d', '4'], ['e', '5']],
  [['b', '2'], ['c', '3'], ['e', '5']]
]

/** The root of state `seq`, computed from its entries. */
export function rootAt (seq: number): string {
  return toHex(computeRoot(STATES[seq].map(([k, v]) => ({ key: utf8(k), value: utf8(v) }))))
}

/** Writes the history: a batch of two puts, a put, a del, a batch of two puts, a ranged clear. */
export async function seed (db: MerkleLevel): Promise<void> {
  await db.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '2' }])
  await db.put('c', '3')
  await db.del('a')
  await db.batch([{ type: 'put', key: 'd', value: '4' }, { type: 'put', key: 'e', value: '5' }])
  await db.clear({ gte: 'd', lt: 'e' })
}

/** A seeded database, open, served on an ephemeral port of 127.0.0.1. */
export async function servedSeeded (options: ReplicationServerOptions = {}): Promise<{ db: MerkleLevel, serving: ReplicationServer, base: string, close: () => Promise<void> }> {
  const db = new MerkleLevel(tempLocation('serve'))
  await seed(db)
  const serving = await startReplicationServer(db, { port: 0, ...options })
  return {
    db,
    serving,
    base: `${serving.url}/v1/`,
    close: async () => {
      await serving.close()
      await db.close()
    }
  }
}
