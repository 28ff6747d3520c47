/**
 * Builds change proofs from a tree version. The change is applied to a
 * partial tree that starts as R1's top pruned to its hash; whenever the
 * operations read a pruned node (change-apply.ts), it is fetched from the
 * tree and recorded at its place in R1. The recorded nodes are exactly the
 * nodes the proof opens; everything else is pruned to its cached hash.
 *
 * R2 is computed twice: from the partial tree, as a verifier does, and by
 * applying the operations to the tree itself (path copying: the version
 * given is never changed). The two must agree; they always do unless the
 * shared algorithm and the treap disagree, which is a bug worth failing on.
 */
import { bytesEqual } from '../bytes'
import { nodeHashBytes, valueHashBytes } from './cached-digests'
import { rootWith } from './hash-formulas'
import { sha256 } from './node-crypto-hashes'
import { resolve } from './node'
import type { TreeNode } from './node'
import { priorityDigest } from './priority'
import { applyChange, partialHash } from './change-apply'
import type { OpenedNode, PartialTree, PrunedTree } from './change-apply'
import type { ChangeOp, ChangeProof, ChangeProofNode } from './change-proof'
import type { Tree } from './tree'

/** A change proof with the roots it connects. */
export interface ProvenChange {
  proof: ChangeProof
  /** The root of the version the operations were applied to. */
  from: Uint8Array
  /** The root of the version they give. */
  to: Uint8Array
}

// A node of R1 the operations read: its key and value hash, and its children as R1 has them.
interface Recorded {
  key: Uint8Array
  valueHash: Uint8Array
  left: Recorded | TreeNode | null
  right: Recorded | TreeNode | null
}

// Where a pruned subtree sits in R1: its node, and the recorded parent slot it fills once opened.
interface Source {
  node: TreeNode
  parent: Recorded | null
  side: 'left' | 'right'
}

/** The proof that applying `ops` (bytes as stored) to `tree` gives the tree with root `to`. */
export function proveChange (tree: Tree, ops: readonly ChangeOp[]): ProvenChange {
  const from = tree.root()
  const salt = tree.params.salt
  const copies = ops.map(copyOp)
  let top: Recorded | TreeNode | null = tree.top
  const pruned = (node: TreeNode | null, parent: Recorded | null, side: 'left' | 'right'): PartialTree =>
    node === null ? null : { kind: 'pruned', hash: nodeHashBytes(node), source: { node, parent, side } satisfies Source }
  const open = (at: PrunedTree): OpenedNode => {
    const { node: stored, parent, side } = at.source as Source
    const node = resolve(stored)
    const recorded: Recorded = { key: node.key, valueHash: valueHashBytes(node), left: node.left, right: node.right }
    if (parent === null) top = recorded
    else parent[side] = recorded
    return {
      kind: 'opened',
      key: node.key,
      priority: priorityDigest(node.key, tree.params),
      valueHash: recorded.valueHash,
      left: pruned(node.left, recorded, 'left'),
      right: pruned(node.right, recorded, 'right'),
      read: false
    }
  }
  const applied = applyChange(sha256, salt, pruned(tree.top, null, 'left'), copies, open)
  const countAfter = tree.size + applied.inserted - applied.deleted
  const to = rootWith(sha256, salt, countAfter, partialHash(sha256, applied.top))

  let after = tree
  for (const op of copies) after = op.type === 'put' ? after.put(op.key, op.value) : after.del(op.key)
  if (!bytesEqual(after.root(), to) || after.size !== countAfter) throw new Error('The change proof disagrees with the tree')

  return { proof: { kind: 'change', salt: salt.slice(), count: tree.size, ops: copies, nodes: flatten(top) }, from: from.slice(), to }
}

function copyOp (op: ChangeOp): ChangeOp {
  return op.type === 'put' ? { type: 'put', key: op.key.slice(), value: op.value.slice() } : { type: 'del', key: op.key.slice() }
}

function isRecorded (x: Recorded | TreeNode): x is Recorded {
  return !('kp' in x)
}

// R1 in pre-order: recorded nodes opened, other subtrees pruned to their hashes.
function flatten (top: Recorded | TreeNode | null): ChangeProofNode[] {
  const nodes: ChangeProofNode[] = []
  const stack: Array<Recorded | TreeNode | null> = [top]
  while (stack.length > 0) {
    const at = stack.pop() as Recorded | TreeNode | null
    if (at === null) {
      nodes.push({ type: 'empty' })
    } else if (!isRecorded(at)) {
      nodes.push({ type: 'pruned', hash: nodeHashBytes(at) })
    } else {
      nodes.push({ type: 'path', key: at.key.slice(), valueHash: at.valueHash })
      stack.push(at.right, at.left)
    }
  }
  return nodes
}
