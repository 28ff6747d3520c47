/**
 * The change proof of one committed batch, made by a change feed from the
 * state before the batch (docs/MERKLE.md §11). A change proof states puts
 * and dels only: a ranged clear is stated as the dels of the keys it removed
 * at its place in the batch, found by applying the batch to a path-copied
 * version (the state before is never changed).
 */
import { proveChange } from '../tree/prove-change'
import type { ChangeOp, ChangeProof } from '../tree/change-proof'
import type { Tree } from '../tree/tree'
import type { WriteOp } from './batch-record'

/** The batch's operations as puts and dels, each clear replaced by the dels it amounts to in `before`. */
export function provableOps (before: Tree, ops: readonly WriteOp[]): ChangeOp[] {
  if (ops.every(op => op.type !== 'clear')) return ops as ChangeOp[]
  const stated: ChangeOp[] = []
  let tree = before
  for (const op of ops) {
    if (op.type === 'clear') {
      tree = tree.delRange(op.range, key => stated.push({ type: 'del', key }))
      continue
    }
    tree = op.type === 'put' ? tree.put(op.key, op.value) : tree.del(op.key)
    stated.push(op)
  }
  return stated
}

/** The proof that `ops` take `before` (hashed) to the state after the batch. */
export function proveBatch (before: Tree, ops: readonly WriteOp[]): ChangeProof {
  return proveChange(before, provableOps(before, ops)).proof
}
