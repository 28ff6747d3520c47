/**
 * The integrity check of one tree version, `db.check()`: the invariant scan
 * (invariants.ts: search-tree order, heap order of recomputed priorities,
 * subtree sizes, every cached hash recomputed) plus the published root
 * recomputed from the top node's hash, the count and the salt.
 */
import { bytesEqual, toHex } from '../bytes'
import { rootDigest } from './lazy-hashing'
import { nodeHashBytes } from './cached-digests'
import { scanTree } from './invariants'
import type { Tree } from './tree'

/** What `db.check()` found. */
export interface CheckReport {
  /** True when no problem was found. */
  ok: boolean
  /** Each problem found, in words (empty when `ok`). */
  problems: string[]
  /** Entries scanned. */
  entries: number
  /** Nodes on the longest path from the top. */
  depth: number
  /** Cached node hashes compared with a recomputation. */
  hashesChecked: number
  /** The root, hexadecimal. */
  root: string
  /** The salt of the priority hash, hexadecimal (empty when none). */
  salt: string
}

/** Hashes what is still dirty, then scans the whole version. */
export async function checkTree (tree: Tree): Promise<CheckReport> {
  const root = await tree.rootAsync()
  const scan = scanTree(tree.top, tree.params)
  const problems = scan.problems.slice()
  if (scan.entries !== tree.size) problems.push(`count ${tree.size} but ${scan.entries} entries found`)
  if (!bytesEqual(rootDigest(nodeHashBytes(tree.top), scan.entries, tree.params), root)) problems.push('root differs from the one recomputed')
  return {
    ok: problems.length === 0,
    problems,
    entries: scan.entries,
    depth: scan.depth,
    hashesChecked: scan.hashesChecked,
    root: toHex(root),
    salt: toHex(tree.params.salt)
  }
}
