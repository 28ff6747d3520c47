/**
 * Change proofs against a brute-force model, over random databases and
 * random operation lists (repeated keys, deletes of absent keys, empty lists,
 * with and without a salt): the proof verifies from the state's root to the
 * root an independent implementation gives for the model after the
 * operations, and returns exactly the operations; it is canonical (proving
 * again, the binary and the JSON round trips give the same bytes; pruning any
 * opened subtree or opening any pruned one is refused); it fails against
 * other roots; and a proof's nodes with other operations either are refused
 * or are exactly the canonical proof of those operations.
 */
import test from 'tape'
import fc from 'fast-check'
import { toHex } from '../../lib/bytes'
import { Tree } from '../../lib/tree/tree'
import { proveChange } from '../../lib/tree/prove-change'
import { nodeHashBytes, valueHashBytes } from '../../lib/tree/cached-digests'
import { nodeHash } from '../../lib/tree/node-crypto-hashes'
import { resolve } from '../../lib/tree/node'
import type { TreeNode } from '../../lib/tree/node'
import { changeProofFromJson, changeProofToJson, decodeChangeProof, encodeChangeProof, verifyChangeProof } from '../../verify'
import type { ChangeOp, ChangeProofNode } from '../../verify'
import { SortedModel, treeAndModel } from '../util/model'
import { naiveRoot } from '../util/naive-root'
import { smallKey, smallValue } from '../util/arbitraries'
import { codeOf } from '../util/codes'

const key = fc.oneof(smallKey, fc.uint8Array({ maxLength: 4 }))
const salt = fc.constantFrom(new Uint8Array(0), Uint8Array.of(7), Uint8Array.from({ length: 32 }, (_, i) => 255 - i))
const contents = fc.array(fc.tuple(key, smallValue), { maxLength: 40 })
const op: fc.Arbitrary<ChangeOp> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key, value: smallValue }),
  fc.record({ type: fc.constant('del' as const), key })
)
const ops = fc.array(op, { maxLength: 12 })

function after (model: SortedModel, list: readonly ChangeOp[]): SortedModel {
  const next = model.clone()
  for (const o of list) {
    if (o.type === 'put') next.put(o.key, o.value)
    else next.del(o.key)
  }
  return next
}

const showOps = (list: readonly ChangeOp[]): string[] => list.map(o => o.type === 'put' ? `put ${toHex(o.key)}=${toHex(o.value)}` : `del ${toHex(o.key)}`)

test('change proofs verify to the model\'s root after the operations and return exactly them', t => {
  let checked = 0
  let nodesOpened = 0
  fc.assert(fc.property(contents, ops, salt, (pairs, list, s) => {
    const { tree, model } = treeAndModel(pairs, s)
    const expected = after(model, list)
    const { proof, from, to } = proveChange(tree, list)
    const bytes = encodeChangeProof(proof)
    if (toHex(from) !== toHex(naiveRoot(model.entries(), s))) return false
    if (toHex(to) !== toHex(naiveRoot(expected.entries(), s))) return false
    const fact = verifyChangeProof(bytes, { from, to: toHex(to) })
    if (JSON.stringify(showOps(fact.ops)) !== JSON.stringify(showOps(list))) return false
    if (fact.countBefore !== model.size || fact.countAfter !== expected.size || toHex(fact.salt) !== toHex(s)) return false
    // The object form passes the same checks; the round trips give the same bytes.
    verifyChangeProof(proof, { from, to })
    if (toHex(encodeChangeProof(decodeChangeProof(bytes))) !== toHex(bytes)) return false
    if (toHex(encodeChangeProof(changeProofFromJson(JSON.stringify(changeProofToJson(proof))))) !== toHex(bytes)) return false
    if (toHex(encodeChangeProof(proveChange(tree, list).proof)) !== toHex(bytes)) return false
    checked++
    nodesOpened += proof.nodes.filter(n => n.type === 'path').length
    return true
  }), { numRuns: 300 })
  t.ok(checked === 300 && nodesOpened > 300, `${checked} changes proven and verified, ${nodesOpened} nodes opened`)
  t.end()
})

test('change proofs fail against other roots', t => {
  fc.assert(fc.property(contents, ops, salt, (pairs, list, s) => {
    const { tree } = treeAndModel(pairs, s)
    const { proof, from, to } = proveChange(tree, list)
    const other = tree.put(Uint8Array.of(0x7a, 0x7a, 0x7a, 0x7a, 0x7a), Uint8Array.of(1)).root()
    return codeOf(() => verifyChangeProof(proof, { from: other, to })) === 'LEVEL_PROOF_ROOT_MISMATCH' &&
      codeOf(() => verifyChangeProof(proof, { from, to: other })) === 'LEVEL_PROOF_ROOT_MISMATCH' &&
      codeOf(() => verifyChangeProof(proof, { from: to, to: from })) === (toHex(from) === toHex(to) ? 'accepted' : 'LEVEL_PROOF_ROOT_MISMATCH')
  }), { numRuns: 150 })
  t.end()
})

// The end of the subtree that starts at `at` (pre-order), and its hash.
function subtree (nodes: readonly ChangeProofNode[], at: number): { end: number, hash: Uint8Array } {
  const hashes: Uint8Array[] = []
  let open = 1
  let end = at
  while (open > 0) open += nodes[end++].type === 'path' ? 1 : -1
  for (let i = end - 1; i >= at; i--) {
    const node = nodes[i]
    if (node.type === 'empty') hashes.push(new Uint8Array(32))
    else if (node.type === 'pruned') hashes.push(node.hash)
    else {
      const left = hashes.pop() as Uint8Array
      const right = hashes.pop() as Uint8Array
      hashes.push(nodeHash(left, right, node.valueHash, node.key))
    }
  }
  return { end, hash: hashes[0] }
}

function nodeWithHash (tree: Tree, hash: Uint8Array): TreeNode {
  const stack = [tree.top]
  while (stack.length > 0) {
    const at = stack.pop()
    if (at === null || at === undefined) continue
    const node = resolve(at)
    if (toHex(nodeHashBytes(node)) === toHex(hash)) return node
    stack.push(node.left, node.right)
  }
  throw new Error('no such node')
}

test('change proofs are minimal and complete: pruning an opened subtree or opening a pruned one is refused', t => {
  let pruned = 0
  let opened = 0
  fc.assert(fc.property(contents, ops, salt, (pairs, list, s) => {
    const { tree } = treeAndModel(pairs, s)
    const { proof, from, to } = proveChange(tree, list)
    const nodes = proof.nodes
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]
      let changed: ChangeProofNode[]
      if (node.type === 'path') {
        const { end, hash } = subtree(nodes, i)
        changed = [...nodes.slice(0, i), { type: 'pruned', hash }, ...nodes.slice(end)]
        pruned++
      } else if (node.type === 'pruned') {
        const real = nodeWithHash(tree, node.hash)
        const child = (n: TreeNode | null): ChangeProofNode => n === null ? { type: 'empty' } : { type: 'pruned', hash: nodeHashBytes(n) }
        changed = [...nodes.slice(0, i), { type: 'path', key: real.key, valueHash: valueHashBytes(real) }, child(real.left), child(real.right), ...nodes.slice(i + 1)]
        opened++
      } else {
        continue
      }
      if (codeOf(() => verifyChangeProof({ ...proof, nodes: changed }, { from, to })) !== 'LEVEL_INVALID_PROOF') return false
    }
    return true
  }), { numRuns: 400 })
  t.ok(pruned > 100 && opened > 100, `${pruned} opened subtrees pruned, ${opened} pruned subtrees opened: all refused`)
  t.end()
})

test('a proof\'s nodes with other operations are refused, or are the canonical proof of those operations', t => {
  let refused = 0
  let same = 0
  fc.assert(fc.property(contents, ops, ops, salt, (pairs, a, b, s) => {
    const { tree } = treeAndModel(pairs, s)
    const proven = proveChange(tree, a)
    const wanted = proveChange(tree, b)
    const code = codeOf(() => verifyChangeProof({ ...proven.proof, ops: b }, { from: wanted.from, to: wanted.to }))
    if (code === 'accepted') {
      same++
      return toHex(encodeChangeProof({ ...proven.proof, ops: b })) === toHex(encodeChangeProof(wanted.proof))
    }
    refused++
    return code === 'LEVEL_INVALID_PROOF'
  }), { numRuns: 300 })
  t.ok(refused > 50, `${refused} refused (an operation needs an omitted node, or a node opened is not read), ${same} the canonical proof`)
  t.end()
})
