/**
 * A proof cannot be bent into a false statement. Every single-byte change
 * (all 255 other values at every position), every truncation and a set of
 * extensions of valid encoded proofs is either rejected with a proof error
 * code or still proves something the model confirms. Then hand-made forgeries:
 * absence of a present key, a wrong value, range proofs that drop or add an
 * entry, non-canonical shapes, over-opened proofs, deep hostile proofs.
 */
import test from 'tape'
import { createHash } from 'node:crypto'
import { toHex } from '../../lib/bytes'
import { Tree } from '../../lib/tree/tree'
import { proveKey, proveRange } from '../../lib/tree/prove'
import type { RangeQuery } from '../../lib/tree/prove'
import { encodeProof } from '../../lib/tree/proof-codec'
import type { KeyProof, Proof, ProofNode, RangeProof } from '../../lib/tree/proof'
import { nodeHashWith, priorityWith, rootWith, valueHashWith } from '../../lib/tree/hash-formulas'
import { verifyKeyProofWith, verifyRangeProofWith } from '../../lib/tree/verify-proof'
import { verifyProof, verifyRangeProof } from '../../verify'
import { SortedModel } from '../util/model'
import { codeOf } from '../util/codes'

// The mutation loops run hundreds of thousands of verifications: node:crypto keeps them quick.
const sha = (bytes: Uint8Array): Uint8Array => createHash('sha256').update(bytes).digest()
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const PROOF_CODES = new Set(['LEVEL_INVALID_PROOF', 'LEVEL_PROOF_ROOT_MISMATCH'])

function fixture (saltBytes: Uint8Array): { tree: Tree, model: SortedModel } {
  let tree = Tree.empty({ salt: saltBytes })
  const model = new SortedModel()
  for (const k of ['b', 'd', 'f', 'h', 'j', 'l', 'n']) {
    tree = tree.put(enc(k), enc(k.toUpperCase()))
    model.put(enc(k), enc(k.toUpperCase()))
  }
  return { tree, model }
}

type Outcome = 'rejected' | 'true' | 'FALSE' | 'crashed'

// Verifies `bytes` as whatever kind it claims to be; judges an accepted proof against the model.
function judge (root: Uint8Array, bytes: Uint8Array, model: SortedModel, salt: Uint8Array): Outcome {
  let fact
  try {
    fact = bytes[1] === 2 ? verifyRangeProofWith(sha, root, bytes) : verifyKeyProofWith(sha, root, bytes)
  } catch (err) {
    return PROOF_CODES.has((err as { code?: string }).code ?? '') ? 'rejected' : 'crashed'
  }
  if (fact.count !== model.size || toHex(fact.salt) !== toHex(salt)) return 'FALSE'
  if ('present' in fact) {
    const expected = model.get(fact.key)
    if (fact.present !== (expected !== undefined)) return 'FALSE'
    return !fact.present || toHex(fact.value) === toHex(expected as Uint8Array) ? 'true' : 'FALSE'
  }
  const expected = model.range(fact.range).map(([k, v]) => toHex(k) + '=' + toHex(v))
  return JSON.stringify(fact.entries.map(e => toHex(e.key) + '=' + toHex(e.value))) === JSON.stringify(expected) ? 'true' : 'FALSE'
}

const CASES: Array<{ name: string, prove: (tree: Tree) => Proof }> = [
  { name: 'inclusion of h', prove: tree => proveKey(tree, enc('h')) },
  { name: 'absence of e (a gap)', prove: tree => proveKey(tree, enc('e')) },
  { name: 'absence of a (below all)', prove: tree => proveKey(tree, enc('a')) },
  { name: 'absence of z (above all)', prove: tree => proveKey(tree, enc('z')) },
  { name: 'range gte d lt l', prove: tree => proveRange(tree, { gte: enc('d'), lt: enc('l') }) },
  { name: 'range gt c, limit 2, reverse', prove: tree => proveRange(tree, { gt: enc('c'), limit: 2, reverse: true }) },
  { name: 'empty range gt h lt i', prove: tree => proveRange(tree, { gt: enc('h'), lt: enc('i') }) }
]

test('every single-byte change, truncation and extension is rejected or still true', t => {
  for (const saltBytes of [new Uint8Array(0), enc('salt')]) {
    const { tree, model } = fixture(saltBytes)
    const root = tree.root()
    const empty = Tree.empty({ salt: saltBytes })
    // The salted run repeats the cases a salt could matter to: the header is longer, priorities differ.
    const chosen = saltBytes.length === 0 ? CASES : CASES.filter(c => c.name.startsWith('inclusion') || c.name.includes('limit'))
    const cases = [...chosen.map(c => ({ name: c.name, proof: c.prove(tree), root, model })),
      { name: 'empty database, absence', proof: proveKey(empty, enc('a')), root: empty.root(), model: new SortedModel() }]
    for (const c of cases) {
      const bytes = encodeProof(c.proof)
      const counts: Record<Outcome, number> = { rejected: 0, true: 0, FALSE: 0, crashed: 0 }
      t.equal(judge(c.root, bytes, c.model, saltBytes), 'true', `${c.name}: the unchanged proof holds`)
      for (let i = 0; i < bytes.length; i++) {
        for (let v = 0; v < 256; v++) {
          if (v === bytes[i]) continue
          const changed = bytes.slice()
          changed[i] = v
          counts[judge(c.root, changed, c.model, saltBytes)]++
        }
      }
      for (let n = 0; n < bytes.length; n++) counts[judge(c.root, bytes.subarray(0, n), c.model, saltBytes)]++
      for (let v = 0; v < 256; v++) counts[judge(c.root, Uint8Array.from([...bytes, v]), c.model, saltBytes)]++
      counts[judge(c.root, Uint8Array.from([...bytes, ...bytes]), c.model, saltBytes)]++
      t.equal(counts.FALSE, 0, `${c.name} (salt ${saltBytes.length} bytes, ${bytes.length} bytes): no false statement; ${counts.rejected} rejected, ${counts.true} still true`)
      t.equal(counts.crashed, 0, `${c.name}: every rejection carries a proof error code`)
    }
  }
  t.end()
})

// Replaces node `at` of a proof.
function withNode<P extends Proof> (proof: P, at: number, node: ProofNode): P {
  const nodes = proof.nodes.slice()
  nodes[at] = node
  return { ...proof, nodes }
}

test('forged absence of a present key is rejected', t => {
  const { tree } = fixture(new Uint8Array(0))
  const root = tree.root()
  const inclusion = proveKey(tree, enc('h'))
  const at = inclusion.nodes.findIndex(n => n.type === 'entry')
  const entry = inclusion.nodes[at] as { key: Uint8Array, value: Uint8Array }
  const valueHash = valueHashWith(sha, entry.value)
  t.equal(codeOf(() => verifyProof(root, withNode(inclusion, at, { type: 'path', key: entry.key, valueHash }))), 'LEVEL_INVALID_PROOF', 'the value withheld')
  const nodeHash = nodeHashWith(sha, new Uint8Array(32), new Uint8Array(32), valueHash, entry.key)
  // Pruning the node away only works when it is a leaf; then its hash stands where the node stood.
  if (inclusion.nodes[at + 1].type === 'empty' && inclusion.nodes[at + 2].type === 'empty') {
    const nodes = [...inclusion.nodes.slice(0, at), { type: 'pruned', hash: nodeHash } as ProofNode, ...inclusion.nodes.slice(at + 3)]
    t.equal(codeOf(() => verifyProof(root, { ...inclusion, nodes })), 'LEVEL_INVALID_PROOF', 'the node pruned to its hash')
  }
  t.equal(codeOf(() => verifyProof(root, proveKey(tree.del(enc('h')), enc('h')))), 'LEVEL_PROOF_ROOT_MISMATCH', 'an absence proof from a tree without it')
  const renamed: KeyProof = { ...proveKey(tree, enc('h')), key: enc('g') }
  t.equal(codeOf(() => verifyProof(root, renamed)), 'LEVEL_INVALID_PROOF', 'the inclusion proof of h presented for g')
  t.end()
})

test('forged inclusion of a wrong value is rejected', t => {
  const { tree } = fixture(new Uint8Array(0))
  const root = tree.root()
  const proof = proveKey(tree, enc('d'))
  const at = proof.nodes.findIndex(n => n.type === 'entry')
  t.equal(codeOf(() => verifyProof(root, withNode(proof, at, { type: 'entry', key: enc('d'), value: enc('X') }))), 'LEVEL_PROOF_ROOT_MISMATCH', 'another value')
  t.equal(codeOf(() => verifyProof(root, proveKey(tree.put(enc('d'), enc('X')), enc('d')))), 'LEVEL_PROOF_ROOT_MISMATCH', 'a proof from a tree with that value')
  t.equal(codeOf(() => verifyProof(root, proveKey(tree.put(enc('e'), enc('E')), enc('e')))), 'LEVEL_PROOF_ROOT_MISMATCH', 'inclusion of a key that is absent')
  t.end()
})

test('range proofs that drop or add an entry are rejected', t => {
  const { tree } = fixture(new Uint8Array(0))
  const root = tree.root()
  const query: RangeQuery = { gte: enc('c'), lte: enc('m') }
  const proof = proveRange(tree, query)
  const entries = proof.nodes.map((n, i) => [n, i] as const).filter(([n]) => n.type === 'entry')
  t.equal(entries.length, 5, 'd f h j l')
  for (const [node, i] of entries) {
    const e = node as { key: Uint8Array, value: Uint8Array }
    const hidden = withNode(proof, i, { type: 'path', key: e.key, valueHash: valueHashWith(sha, e.value) })
    t.equal(codeOf(() => verifyRangeProof(root, hidden)), 'LEVEL_INVALID_PROOF', `dropping ${new TextDecoder().decode(e.key)} by withholding its value`)
  }
  t.equal(codeOf(() => verifyRangeProof(root, proveRange(tree.del(enc('h')), query))), 'LEVEL_PROOF_ROOT_MISMATCH', 'dropping h: a proof from a tree without it')
  t.equal(codeOf(() => verifyRangeProof(root, proveRange(tree.put(enc('i'), enc('I')), query))), 'LEVEL_PROOF_ROOT_MISMATCH', 'adding i: a proof from a tree with it')
  // Narrowing the stated range without re-proving: the node for l now reveals a value outside it.
  const narrowed: RangeProof = { ...proof, range: { gte: enc('c'), lte: enc('k'), reverse: false } }
  t.equal(codeOf(() => verifyRangeProof(root, narrowed)), 'LEVEL_INVALID_PROOF', 'a range restated narrower')
  const limited: RangeProof = { ...proof, range: { ...proof.range, limit: 4 } }
  t.equal(codeOf(() => verifyRangeProof(root, limited)), 'LEVEL_INVALID_PROOF', 'more entries than the stated limit')
  t.end()
})

test('non-canonical and over-opened proofs are rejected', t => {
  const salt = new Uint8Array(0)
  // Two keys: the canonical tree has the higher-priority key on top. Build the other shape with honest hashes.
  const [a, b] = [enc('a'), enc('b')]
  const [pa, pb] = [priorityWith(sha, salt, a), priorityWith(sha, salt, b)]
  const aOnTop = Buffer.compare(Buffer.from(pa), Buffer.from(pb)) > 0
  const [top, child] = aOnTop ? [b, a] : [a, b]
  const vh = (k: Uint8Array): Uint8Array => valueHashWith(sha, k)
  const zero = new Uint8Array(32)
  const childHash = nodeHashWith(sha, zero, zero, vh(child), child)
  const topHash = top === a ? nodeHashWith(sha, zero, childHash, vh(a), a) : nodeHashWith(sha, childHash, zero, vh(b), b)
  const rotatedRoot = rootWith(sha, salt, 2, topHash)
  const nodes: ProofNode[] = top === a
    ? [{ type: 'entry', key: a, value: a }, { type: 'empty' }, { type: 'entry', key: b, value: b }, { type: 'empty' }, { type: 'empty' }]
    : [{ type: 'entry', key: b, value: b }, { type: 'entry', key: a, value: a }, { type: 'empty' }, { type: 'empty' }, { type: 'empty' }]
  const rotated: RangeProof = { kind: 'range', salt, count: 2, range: { reverse: false }, nodes }
  t.equal(codeOf(() => verifyRangeProof(rotatedRoot, rotated)), 'LEVEL_INVALID_PROOF', 'the non-canonical shape, even with a root computed over it')

  const { tree } = fixture(salt)
  const root = tree.root()
  const proof = proveKey(tree, enc('h'))
  const pruned = proof.nodes.findIndex(n => n.type === 'pruned')
  t.ok(pruned >= 0, 'the proof prunes something')
  const full = proveRange(tree, {})
  const target = (proof.nodes[pruned] as { hash: Uint8Array }).hash
  // Open that pruned subtree (as the full tree shows it): a valid-looking but non-minimal proof.
  const start = full.nodes.findIndex(n => n.type === 'entry' && toHex(nodeHashOfSubtree(full.nodes, full.nodes.indexOf(n))) === toHex(target))
  t.ok(start >= 0, 'found the pruned subtree in the full proof')
  const opened = [...proof.nodes.slice(0, pruned), ...subtreeAsPaths(full.nodes, start), ...proof.nodes.slice(pruned + 1)]
  t.equal(codeOf(() => verifyProof(root, { ...proof, nodes: opened })), 'LEVEL_INVALID_PROOF', 'a subtree opened outside the cover')
  const zeroPruned = withNode(proof, pruned, { type: 'pruned', hash: new Uint8Array(32) })
  t.equal(codeOf(() => verifyProof(root, zeroPruned)), 'LEVEL_INVALID_PROOF', 'a pruned subtree with the empty hash')
  t.equal(codeOf(() => verifyProof(root, { ...proof, count: -1 })), 'LEVEL_INVALID_PROOF', 'a negative count')
  t.equal(codeOf(() => verifyProof(root, { ...proof, salt: new Uint8Array(33) })), 'LEVEL_INVALID_PROOF', 'a salt too long')
  t.equal(codeOf(() => verifyProof(root, { nodes: 3 } as never)), 'LEVEL_INVALID_PROOF', 'not a proof object')
  t.equal(codeOf(() => verifyProof(root.subarray(1), proof)), 'LEVEL_INVALID_VALUE', 'a root of 31 bytes')
  t.equal(codeOf(() => verifyProof(toHex(root), proof)), 'accepted', 'a root in hexadecimal')
  t.end()
})

// The hash of the subtree starting at `at` in a pre-order list, and the end of that subtree.
function subtreeEnd (nodes: readonly ProofNode[], at: number): number {
  let open = 1
  let i = at
  while (open > 0) {
    const n = nodes[i++]
    open += n.type === 'entry' || n.type === 'path' ? 1 : -1
  }
  return i
}

function nodeHashOfSubtree (nodes: readonly ProofNode[], at: number): Uint8Array {
  const end = subtreeEnd(nodes, at)
  const stack: Uint8Array[] = []
  for (let i = end - 1; i >= at; i--) {
    const n = nodes[i]
    if (n.type === 'empty') stack.push(new Uint8Array(32))
    else if (n.type === 'pruned') stack.push(n.hash)
    else {
      const l = stack.pop() as Uint8Array
      const r = stack.pop() as Uint8Array
      stack.push(nodeHashWith(sha, l, r, n.type === 'entry' ? valueHashWith(sha, n.value) : n.valueHash, n.key))
    }
  }
  return stack[0]
}

function subtreeAsPaths (nodes: readonly ProofNode[], at: number): ProofNode[] {
  return nodes.slice(at, subtreeEnd(nodes, at)).map(n => n.type === 'entry' ? { type: 'path', key: n.key, valueHash: valueHashWith(sha, n.value) } : n)
}

test('deep hostile proofs fail with a code, never a stack overflow or a false absence', t => {
  // 200,000 nested path nodes with ascending keys: a right spine far deeper than any real tree.
  const depth = 200000
  const nodes: ProofNode[] = []
  for (let i = 0; i < depth; i++) {
    nodes.push({ type: 'path', key: enc(String(i).padStart(8, '0')), valueHash: new Uint8Array(32).fill(1) }, { type: 'empty' })
  }
  nodes.push({ type: 'empty' })
  const proof: KeyProof = { kind: 'key', salt: new Uint8Array(0), count: depth, key: enc('99999999'), nodes }
  const bytes = encodeProof(proof)
  t.equal(codeOf(() => verifyProof(new Uint8Array(32), bytes)), 'LEVEL_INVALID_PROOF', `${bytes.length} bytes: rejected (heap order) with a code`)
  t.end()
})
