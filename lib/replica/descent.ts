/**
 * The descent of a diff sync (docs/REPLICATION.md §7.5): the replica walks
 * the server's tree from the top, one level per round of `nodes` requests,
 * and opens a subtree only where the hash the server states for it is not
 * the hash of the replica's own subtree over the same key interval.
 *
 * Nothing is taken on trust. The top node must give the pinned root (with
 * the salt and the count), and every node opened must hash to what its
 * parent stated; its key must lie in the interval its ancestors leave it and
 * its priority below its parent's. A subtree skipped is one of the replica's
 * own, with the hash stated, its keys inside the interval and its top below
 * the parent. So the server's tree is a treap, the one its entries make, and
 * once the entries skipped are counted in, they and the entries opened are
 * exactly the state with the pinned root: what the replica computes after
 * applying them is that root.
 */
import { bytesEqual, compareBytes, fromHex } from '../bytes'
import { nodeHashBytes } from '../tree/cached-digests'
import { EMPTY_HASH, rootWith } from '../tree/hash-formulas'
import { nodeHash, priorityHash, sha256, valueHash } from '../tree/node-crypto-hashes'
import type { TreeNode } from '../tree/node'
import { TOP_POSITION, childPosition } from '../tree/positions'
import { extremes, topWithin, within } from '../tree/subtree-search'
import type { OpenInterval } from '../tree/subtree-search'
import { toHex } from '../bytes'
import type { ReplicationClient, ServedNode, ServerInfo } from './client'
import { replicaError } from './errors'

/** The server's state as the descent found it, beside the replica's own subtrees it shares. */
export interface Descent {
  /** The entries of the nodes opened, verified. */
  entries: Array<{ key: Uint8Array, value: Uint8Array }>
  /** The intervals in which the server's state has no key (its empty subtrees below the nodes opened). */
  gaps: OpenInterval[]
  /** Requests made. */
  requests: number
}

/** The difference is too large for a descent to pay: a full copy moves fewer bytes. */
export class DescentTooLarge extends Error {
  override readonly name = 'DescentTooLarge'
}

// A subtree of the server's to open: where it is, the hash its parent stated (null for the top,
// checked against the root), the interval its ancestors leave it and its parent's priority.
interface Opening {
  readonly position: string
  readonly hash: Uint8Array | null
  readonly interval: OpenInterval
  readonly above: Uint8Array | null
}

/** Descends the server's state `info` against the replica's tree `local`; see the file comment. */
export async function descend (
  client: ReplicationClient, info: ServerInfo, local: TreeNode | null, maxOpened: number, signal?: AbortSignal
): Promise<Descent> {
  const salt = fromHex(info.salt)
  const found: Descent = { entries: [], gaps: [], requests: 0 }
  // Entries of the server's state accounted for: opened, or in a shared subtree.
  let counted = 0
  let level: Opening[] = [{ position: TOP_POSITION, hash: null, interval: { low: null, high: null }, above: null }]
  if (info.count === 0) {
    // No top node to ask for: the root must be the empty state's.
    const empty = toHex(rootWith(sha256, salt, 0, EMPTY_HASH))
    if (empty !== info.root) throw mismatch(`The server states no entries, but ${info.root} is not the root of none`)
    found.gaps.push({ low: null, high: null })
    level = []
  }
  while (level.length > 0) {
    const next: Opening[] = []
    for (let i = 0; i < level.length;) {
      if (signal?.aborted === true) throw replicaError('REPLICA_ABORTED', 'Replication was aborted')
      const batch = fitting(client, info, level, i)
      const served = await client.nodes(info.root, batch.map(opening => opening.position))
      found.requests++
      for (let j = 0; j < served.length; j++) {
        const opening = level[i + j]
        const { key, value, prio } = checkNode(opening, served[j], salt, info)
        found.entries.push({ key, value })
        if (found.entries.length > maxOpened) throw new DescentTooLarge(`The difference opens more than ${maxOpened} nodes`)
        counted++
        for (const right of [false, true]) {
          const stated = right ? served[j].right : served[j].left
          const interval = right ? { low: key, high: opening.interval.high } : { low: opening.interval.low, high: key }
          if (stated === null) {
            found.gaps.push(interval)
            continue
          }
          const shared = sharedSubtree(local, interval, stated, prio, salt)
          if (shared !== null) counted += shared.size
          else next.push({ position: childPosition(opening.position, right), hash: stated, interval, above: prio })
        }
      }
      i += served.length
    }
    level = next
  }
  if (counted !== info.count) throw mismatch(`The server's tree holds ${counted} entries, not the ${info.count} its root states`)
  return found
}

// The openings from `from` on whose positions fit in one request target (at least one).
function fitting (client: ReplicationClient, info: ServerInfo, level: Opening[], from: number): Opening[] {
  let length = client.nodesTargetLength(info.root, '')
  let end = from
  while (end < level.length) {
    length += level[end].position.length + (end > from ? 1 : 0)
    if (end > from && length > info.maxRequestBytes) break
    end++
  }
  return level.slice(from, end)
}

// The served node, checked against its parent (or the root), its interval and its parent's priority.
function checkNode (opening: Opening, node: ServedNode, salt: Uint8Array, info: ServerInfo): { key: Uint8Array, value: Uint8Array, prio: Uint8Array } {
  const { key, value } = node
  const left = node.left ?? EMPTY_HASH
  const right = node.right ?? EMPTY_HASH
  const hash = nodeHash(left, right, valueHash(value), key)
  if (opening.hash === null) {
    const root = toHex(rootWith(sha256, salt, info.count, hash))
    if (root !== info.root) throw mismatch(`The top node gives the root ${root}, not ${info.root}`)
  } else if (!bytesEqual(hash, opening.hash)) {
    throw mismatch(`The node at ${opening.position} does not have the hash its parent states`)
  }
  if (!within(opening.interval, key)) throw mismatch(`The key of the node at ${opening.position} is out of its ancestors' order`)
  const prio = priorityHash(salt, key)
  if (opening.above !== null && compareBytes(prio, opening.above) >= 0) throw mismatch(`The node at ${opening.position} ranks above its parent`)
  return { key, value, prio }
}

// The replica's subtree that holds the keys of `interval`, when it is the one the server states
// (same hash, keys inside the interval, top below the parent); null when the server's must be opened.
function sharedSubtree (local: TreeNode | null, interval: OpenInterval, hash: Uint8Array, above: Uint8Array, salt: Uint8Array): TreeNode | null {
  const candidate = topWithin(local, interval)
  if (candidate === null || !bytesEqual(nodeHashBytes(candidate), hash)) return null
  const { min, max } = extremes(candidate)
  if (!within(interval, min) || !within(interval, max) || compareBytes(priorityHash(salt, candidate.key), above) >= 0) {
    throw mismatch('A subtree the server states is out of its tree\'s order')
  }
  return candidate
}

function mismatch (message: string): Error {
  return replicaError('REPLICA_NODE_MISMATCH', message)
}
