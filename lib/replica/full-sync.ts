/**
 * A full copy of the server's state R by ranges (docs/REPLICATION.md §7.2):
 * every page's range proof is verified against R and must continue exactly
 * where the previous one stopped; its entries go into a staging database;
 * after the last page the staging database's root must be R and its count
 * the server's. Only then is it installed in place of the replica
 * (swap.ts), with its record (R, seq).
 */
import { MerkleLevel } from '../level/merkle-level'
import { bytesEqual, fromHex, toHex } from '../bytes'
import type { RangeProofResult } from '../../verify'
import { nodeCryptoHashing } from '../tree/node-crypto-hashes'
import { verifyRangeProofWith } from '../tree/verify-proof'
import type { RangePage, ReplicationClient, ServerInfo } from './client'
import { replicaError } from './errors'
import { writeRecord } from './state'
import { companions, install, markReady, removeTree } from './swap'

/** Copies the state `info` describes into `location`, replacing what is there only once the copy is verified. */
export async function fullSync (client: ReplicationClient, info: ServerInfo, location: string, signal?: AbortSignal): Promise<void> {
  const { staging } = companions(location)
  const db = new MerkleLevel<Uint8Array, Uint8Array>(staging, { salt: fromHex(info.salt), keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  try {
    await copyPages(client, info, db, signal)
    const root = toHex(await db.root())
    if (root !== info.root) throw replicaError('REPLICA_ROOT_MISMATCH', `The copied entries give the root ${root}, not ${info.root}`)
    await writeRecord(staging, { root: info.root, seq: info.seq })
  } catch (err) {
    // An unverified copy is worth nothing: drop it now rather than at the next run.
    await db.close()
    await removeTree(staging)
    throw err
  }
  await db.close()
  await markReady(location)
  await install(location)
}

// Pages through the range of everything, from the start to `next: null`, writing each verified page.
// The next page is asked for as soon as a page arrives (its `next` is in its headers), so that the
// server prepares it while this one is verified and written; nothing is written before it is verified.
async function copyPages (client: ReplicationClient, info: ServerInfo, db: MerkleLevel<Uint8Array, Uint8Array>, signal?: AbortSignal): Promise<void> {
  let after: string | null = null
  let copied = 0
  let coming: Promise<RangePage> | null = client.range(info.root, null)
  try {
    while (coming !== null) {
      if (signal?.aborted === true) throw replicaError('REPLICA_ABORTED', 'Replication was aborted')
      const page: RangePage = await coming
      coming = page.next === null ? null : client.range(info.root, page.next)
      if (page.root !== info.root || page.seq !== info.seq || page.count !== info.count) {
        throw replicaError('REPLICA_BAD_RESPONSE', `A range page describes another state (${page.root} at ${page.seq}) than the one pinned (${info.root} at ${info.seq})`)
      }
      const proven = verifyRangeProofWith(nodeCryptoHashing, info.root, page.proof)
      checkPage(proven, info, after, page.next)
      copied += proven.entries.length
      if (copied > info.count) throw replicaError('REPLICA_BAD_RESPONSE', `The range pages hold more than the ${info.count} entries of the state`)
      if (proven.entries.length > 0) await db.batch(proven.entries.map(({ key, value }) => ({ type: 'put' as const, key, value })))
      after = page.next
    }
  } finally {
    // A page asked for and no longer wanted: its failure is not this copy's.
    coming?.catch(() => {})
  }
  if (copied !== info.count) throw replicaError('REPLICA_BAD_RESPONSE', `The range pages hold ${copied} entries, not the ${info.count} of the state`)
}

// A verified page must answer the query asked (everything after `after`) and continue at `next`, or cover the rest.
function checkPage (proven: RangeProofResult, info: ServerInfo, after: string | null, next: string | null): void {
  const { range, covered, entries } = proven
  const asked = after === null ? undefined : fromHex(after)
  const sameLower = asked === undefined ? range.gt === undefined : range.gt !== undefined && bytesEqual(range.gt, asked)
  if (!sameLower || range.gte !== undefined || range.lt !== undefined || range.lte !== undefined || range.reverse) {
    throw replicaError('REPLICA_BAD_RESPONSE', 'A range proof answers another range than the one asked')
  }
  if (!bytesEqual(proven.salt, fromHex(info.salt))) throw replicaError('REPLICA_BAD_RESPONSE', 'A range proof states another salt than the server')
  if (next === null) {
    if (covered === null || covered.lt !== undefined || covered.lte !== undefined) {
      throw replicaError('REPLICA_BAD_RESPONSE', 'The last range page does not cover the key space to its end')
    }
  } else {
    const last = entries[entries.length - 1]
    if (last === undefined || toHex(last.key) !== next || entries.length !== range.limit) {
      throw replicaError('REPLICA_BAD_RESPONSE', 'A range page\'s next key is not the last key it proves')
    }
  }
}
