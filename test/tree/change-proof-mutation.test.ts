/**
 * A change proof cannot be bent into a false statement. Given the true roots
 * before and after, every single-byte change (all 255 other values at every
 * position), every truncation and a set of extensions of valid encoded change
 * proofs is either refused with a proof error code or still proves a true
 * statement: operations that, applied to the state before, give the state
 * after (a delete of one absent key may become a delete of another). Then
 * forgeries by hand: other values, a dropped or added operation, another
 * state, and hostile objects.
 */
import test from 'tape'
import { createHash } from 'node:crypto'
import { toHex } from '../../lib/bytes'
import { Tree } from '../../lib/tree/tree'
import { proveChange } from '../../lib/tree/prove-change'
import { encodeChangeProof } from '../../lib/tree/change-codec'
import type { ChangeOp } from '../../lib/tree/change-proof'
import { verifyChangeProofWith } from '../../lib/tree/verify-change'
import { verifyChangeProof } from '../../verify'
import { codeOf } from '../util/codes'

// The mutation loops run a few hundred thousand verifications: node:crypto keeps them quick.
const sha = (bytes: Uint8Array): Uint8Array => createHash('sha256').update(bytes).digest()
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const PROOF_CODES = new Set(['LEVEL_INVALID_PROOF', 'LEVEL_PROOF_ROOT_MISMATCH'])
const put = (k: string, v: string): ChangeOp => ({ type: 'put', key: enc(k), value: enc(v) })
const del = (k: string): ChangeOp => ({ type: 'del', key: enc(k) })

function fixture (salt: Uint8Array): Tree {
  let tree = Tree.empty({ salt })
  for (const k of ['b', 'd', 'f', 'h', 'j', 'l', 'n']) tree = tree.put(enc(k), enc(k.toUpperCase()))
  return tree
}

type Outcome = 'rejected' | 'true' | 'FALSE' | 'crashed'

// Verifies `bytes` between the true roots; an accepted proof must state operations that lead from one to the other.
function judge (tree: Tree, from: Uint8Array, to: Uint8Array, bytes: Uint8Array): Outcome {
  let fact
  try {
    fact = verifyChangeProofWith(sha, bytes, { from, to })
  } catch (err) {
    return PROOF_CODES.has((err as { code?: string }).code ?? '') ? 'rejected' : 'crashed'
  }
  if (fact.countBefore !== tree.size || toHex(fact.salt) !== toHex(tree.params.salt)) return 'FALSE'
  let after = tree
  for (const op of fact.ops) after = op.type === 'put' ? after.put(op.key, op.value) : after.del(op.key)
  return toHex(after.root()) === toHex(to) && after.size === fact.countAfter ? 'true' : 'FALSE'
}

const CASES: Array<{ name: string, ops: ChangeOp[] }> = [
  { name: 'insert e, delete h, update b', ops: [put('e', 'E'), del('h'), put('b', 'new')] },
  { name: 'delete the top and an absent key', ops: [del('top'), del('zz')] },
  { name: 'insert then delete the same key', ops: [put('g', 'G'), del('g')] },
  { name: 'delete every key', ops: ['b', 'd', 'f', 'h', 'j', 'l', 'n'].map(del) }
]

test('every single-byte change, truncation and extension of a change proof is refused or still true', t => {
  for (const salt of [new Uint8Array(0), enc('salt')]) {
    const tree = fixture(salt)
    const topKey = new TextDecoder().decode((tree.top as { key: Uint8Array }).key)
    const empty = Tree.empty({ salt })
    // The salted run repeats the first case (the header is longer, priorities differ) and the empty database.
    const chosen = salt.length === 0 ? CASES : CASES.slice(0, 1)
    const cases = [
      ...chosen.map(c => ({ name: c.name, tree, ops: c.ops.map(op => op.type === 'del' && toHex(op.key) === toHex(enc('top')) ? del(topKey) : op) })),
      { name: 'insert into the empty database', tree: empty, ops: [put('a', '1')] }
    ]
    for (const c of cases) {
      const { proof, from, to } = proveChange(c.tree, c.ops)
      const bytes = encodeChangeProof(proof)
      const counts: Record<Outcome, number> = { rejected: 0, true: 0, FALSE: 0, crashed: 0 }
      t.equal(judge(c.tree, from, to, bytes), 'true', `${c.name}: the unchanged proof holds`)
      for (let i = 0; i < bytes.length; i++) {
        for (let v = 0; v < 256; v++) {
          if (v === bytes[i]) continue
          const changed = bytes.slice()
          changed[i] = v
          counts[judge(c.tree, from, to, changed)]++
        }
      }
      for (let n = 0; n < bytes.length; n++) counts[judge(c.tree, from, to, bytes.subarray(0, n))]++
      for (let v = 0; v < 256; v++) counts[judge(c.tree, from, to, Uint8Array.from([...bytes, v]))]++
      counts[judge(c.tree, from, to, Uint8Array.from([...bytes, ...bytes]))]++
      t.equal(counts.FALSE, 0, `${c.name} (salt ${salt.length} bytes, ${bytes.length} bytes): no false statement; ${counts.rejected} refused, ${counts.true} still true`)
      t.equal(counts.crashed, 0, `${c.name}: every refusal carries a proof error code`)
    }
  }
  t.end()
})

test('forged changes are refused', t => {
  const tree = fixture(new Uint8Array(0))
  const { proof, from, to } = proveChange(tree, [put('e', 'E'), del('h'), put('b', 'new')])
  const roots = { from, to }
  const code = (ops: ChangeOp[]): string => codeOf(() => verifyChangeProof({ ...proof, ops }, roots))
  t.equal(code([put('e', 'X'), del('h'), put('b', 'new')]), 'LEVEL_PROOF_ROOT_MISMATCH', 'another value')
  t.equal(code([put('e', 'E'), put('b', 'new')]), 'LEVEL_INVALID_PROOF', 'the delete dropped: its nodes are opened but not read')
  t.equal(code([put('e', 'E'), del('h'), put('b', 'new'), del('n')]), 'LEVEL_INVALID_PROOF', 'a delete added: it needs nodes the proof omitted')
  t.equal(code([put('e', 'E'), del('h'), put('b', 'new'), put('b', 'B')]), 'LEVEL_PROOF_ROOT_MISMATCH', 'a later put on the same key wins')
  t.equal(code([put('b', 'new'), del('h'), put('e', 'E')]), 'accepted', 'the same operations on distinct keys in another order')
  t.equal(codeOf(() => verifyChangeProof(proof, { from: to, to: from })), 'LEVEL_PROOF_ROOT_MISMATCH', 'the roots swapped')
  t.equal(codeOf(() => verifyChangeProof(proveChange(tree.put(enc('x'), enc('X')), [put('e', 'E'), del('h'), put('b', 'new')]).proof, roots)), 'LEVEL_PROOF_ROOT_MISMATCH', 'the same change of another state')
  t.equal(codeOf(() => verifyChangeProof({ ...proof, count: proof.count + 1 }, roots)), 'LEVEL_PROOF_ROOT_MISMATCH', 'another count')
  t.equal(codeOf(() => verifyChangeProof({ ...proof, count: 1 }, roots)), 'LEVEL_INVALID_PROOF', 'a count below the nodes opened')
  t.equal(codeOf(() => verifyChangeProof({ ...proof, salt: enc('x') }, roots)), 'LEVEL_INVALID_PROOF', 'another salt: the opened nodes fall out of heap order')
  t.end()
})

test('hostile inputs to the change verifier fail with codes', t => {
  const tree = fixture(new Uint8Array(0))
  const { proof, from, to } = proveChange(tree, [del('d')])
  const roots = { from, to }
  t.equal(codeOf(() => verifyChangeProof({ ...proof, salt: new Uint8Array(33) }, roots)), 'LEVEL_INVALID_PROOF', 'a salt too long')
  t.equal(codeOf(() => verifyChangeProof({ ...proof, count: -1 }, roots)), 'LEVEL_INVALID_PROOF', 'a negative count')
  t.equal(codeOf(() => verifyChangeProof({ ...proof, ops: [{ type: 'clear' } as never] }, roots)), 'LEVEL_INVALID_PROOF', 'an unknown operation')
  t.equal(codeOf(() => verifyChangeProof({ ...proof, ops: [{ type: 'put', key: enc('a') } as never] }, roots)), 'LEVEL_INVALID_PROOF', 'a put without a value')
  t.equal(codeOf(() => verifyChangeProof({ ...proof, nodes: [...proof.nodes, { type: 'empty' }] }, roots)), 'LEVEL_INVALID_PROOF', 'a node after the tree')
  t.equal(codeOf(() => verifyChangeProof({ ...proof, nodes: proof.nodes.slice(1) }, roots)), 'LEVEL_INVALID_PROOF', 'the top missing')
  t.equal(codeOf(() => verifyChangeProof({ kind: 'key' } as never, roots)), 'LEVEL_INVALID_PROOF', 'not a change proof')
  t.equal(codeOf(() => verifyChangeProof(null as never, roots)), 'LEVEL_INVALID_PROOF', 'null')
  t.equal(codeOf(() => verifyChangeProof(proof, null as never)), 'LEVEL_INVALID_VALUE', 'no roots')
  t.equal(codeOf(() => verifyChangeProof(proof, { from, to: to.subarray(1) })), 'LEVEL_INVALID_VALUE', 'a root of 31 bytes')
  t.equal(codeOf(() => verifyChangeProof(proof, { from: toHex(from), to: toHex(to).toUpperCase() })), 'accepted', 'roots in hexadecimal of either case')
  const huge = encodeChangeProof(proof)
  const header = 3 + proof.salt.length + 8
  const claimed = Uint8Array.from([...huge.subarray(0, header), 0xff, 0xff, 0xff, 0xff, 0x0f, ...huge.subarray(header + 1)])
  t.equal(codeOf(() => verifyChangeProof(claimed, roots)), 'LEVEL_INVALID_PROOF', 'an operation count the bytes cannot hold')
  t.end()
})

test('a deep hostile change proof fails with a code, never a stack overflow', t => {
  // 200,000 nested opened nodes with ascending keys: a right spine far deeper than any real tree.
  const depth = 200000
  const nodes: Array<{ type: 'path', key: Uint8Array, valueHash: Uint8Array } | { type: 'empty' }> = []
  for (let i = 0; i < depth; i++) nodes.push({ type: 'path', key: enc(String(i).padStart(8, '0')), valueHash: new Uint8Array(32).fill(1) }, { type: 'empty' })
  nodes.push({ type: 'empty' })
  const bytes = encodeChangeProof({ kind: 'change', salt: new Uint8Array(0), count: depth, ops: [put('99999999', 'x')], nodes })
  const roots = { from: new Uint8Array(32), to: new Uint8Array(32) }
  t.equal(codeOf(() => verifyChangeProof(bytes, roots)), 'LEVEL_INVALID_PROOF', `${bytes.length} bytes: refused (heap order) with a code`)
  t.end()
})
