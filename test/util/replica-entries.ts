/**
 * The entries of a replica's database, for comparing with its primary's.
 */
import { MerkleLevel } from '../../index'
import { toHex } from '../../lib/bytes'

/** Every entry of the database in `location`, as [key, value] hex pairs. */
export async function replicaEntries (location: string): Promise<Array<[string, string]>> {
  const db = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
  const entries = await db.iterator().all()
  await db.close()
  return entries.map(([k, v]) => [toHex(k), toHex(v)])
}
