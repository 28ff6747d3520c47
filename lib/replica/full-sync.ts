/**
 * A full copy of the server's state R by ranges (docs/REPLICATION.md §7.2):
 * every page's range proof is verified against R and must continue exactly
 * where the previous one stopped. The entries, in key order with the hashes
 * their verification computed, are built into a base image in a staging
 * directory (image/sorted-image.ts: nothing is hashed twice); the image is
 * published only if its root is R and its count the server's, and the
 * staging database must then open with root R. Only then is it installed in
 * place of the replica (swap.ts), with its record (R, seq).
 */
import { randomBytes } from 'node:crypto'
import { dirname, resolve } from 'node:path'
import { MerkleLevel } from '../level/merkle-level'
import { bytesEqual, fromHex, toHex } from '../bytes'
import { nodeFileSystem } from '../fs/node-file-system'
import { SortedImageBuilder } from '../image/sorted-image'
import { encodeIdentity, newIdentity } from '../store/identity'
import { snapshotName, snapshotTempName } from '../store/file-names'
import type { RangeProofResult } from '../../verify'
import { nodeCryptoHashing } from '../tree/node-crypto-hashes'
import type { TreeParams } from '../tree/params'
import { verifyRangeProofHashed } from '../tree/verify-proof'
import type { RangePage, ReplicationClient, ServerInfo } from './client'
import { replicaError } from './errors'
import { writeRecord } from './state'
import { companions, install, markReady, removeTree } from './swap'

/** Copies the state `info` describes into `location`, replacing what is there only once the copy is verified. */
export async function fullSync (client: ReplicationClient, info: ServerInfo, location: string, signal?: AbortSignal): Promise<void> {
  const { staging } = companions(location)
  const params: TreeParams = { salt: fromHex(info.salt) }
  try {
    await removeTree(staging)
    await nodeFileSystem.mkdir(staging)
    await nodeFileSystem.syncDirectory(dirname(resolve(staging)))
    // A database directory holding one base image and nothing else: open() starts its log (store/backup.ts).
    const builder = await SortedImageBuilder.create({
      fs: nodeFileSystem,
      directory: staging,
      name: snapshotName(0),
      tempName: snapshotTempName(0, randomBytes(8).toString('hex')),
      identity: encodeIdentity(newIdentity(params)),
      seq: 0,
      kind: 'base',
      chain: []
    }, params)
    try {
      await copyPages(client, info, builder, signal)
      const { root } = await builder.finish(fromHex(info.root))
      if (toHex(root) !== info.root) throw replicaError('REPLICA_ROOT_MISMATCH', `The copied entries give the root ${toHex(root)}, not ${info.root}`)
    } finally {
      await builder.abandon()
    }
    const db = new MerkleLevel<Uint8Array, Uint8Array>(staging, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    try {
      const root = toHex(await db.root())
      if (root !== info.root) throw replicaError('REPLICA_ROOT_MISMATCH', `The copy opens with the root ${root}, not ${info.root}`)
    } finally {
      await db.close()
    }
    await writeRecord(staging, { root: info.root, seq: info.seq })
  } catch (err) {
    // An unverified copy is worth nothing: drop it now rather than at the next run.
    await removeTree(staging)
    throw err
  }
  await markReady(location)
  await install(location)
}

// Pages through the range of everything, from the start to `next: null`, building each verified page.
// The next page is asked for as soon as a page arrives (its `next` is in its headers), so that the
// server prepares it while this one is verified and written; nothing is written before it is verified.
async function copyPages (client: ReplicationClient, info: ServerInfo, builder: SortedImageBuilder, signal?: AbortSignal): Promise<void> {
  let after: string | null = null
  let coming: Promise<RangePage> | null = client.range(info.root, null)
  try {
    while (coming !== null) {
      if (signal?.aborted === true) throw replicaError('REPLICA_ABORTED', 'Replication was aborted')
      const page: RangePage = await coming
      coming = page.next === null ? null : client.range(info.root, page.next)
      if (page.root !== info.root || page.seq !== info.seq || page.count !== info.count) {
        throw replicaError('REPLICA_BAD_RESPONSE', `A range page describes another state (${page.root} at ${page.seq}) than the one pinned (${info.root} at ${info.seq})`)
      }
      const proven = verifyRangeProofHashed(nodeCryptoHashing, info.root, page.proof)
      checkPage(proven, info, after, page.next)
      if (builder.count + proven.entries.length > info.count) throw replicaError('REPLICA_BAD_RESPONSE', `The range pages hold more than the ${info.count} entries of the state`)
      await builder.add(proven.entries)
      after = page.next
    }
  } finally {
    // A page asked for and no longer wanted: its failure is not this copy's.
    coming?.catch(() => {})
  }
  if (builder.count !== info.count) throw replicaError('REPLICA_BAD_RESPONSE', `The range pages hold ${builder.count} entries, not the ${info.count} of the state`)
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
