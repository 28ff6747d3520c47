/**
 * The golden vectors of docs/MERKLE.md (test/fixtures/merkle-*.json): every
 * root recomputed by the library, by the standalone verifier's computeRoot
 * and by an independent naive implementation; every intermediate hash of the
 * small sets recomputed from the spec; every valid proof verified and its
 * answer compared with a brute-force model; every invalid variant rejected
 * with its code; and proving again gives the same bytes (proofs are canonical).
 */
import test from 'tape'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fromHex, toHex } from '../../lib/bytes'
import { computeRoot, decodeProof, encodeProof, proofFromJson, proofToJson, verifyProof, verifyRangeProof } from '../../verify'
import { ENTRY_SETS, PROOF_CASES, proofOf, treeOf } from '../fixtures/generate'
import { naiveRoot } from '../util/naive-root'
import { SortedModel } from '../util/model'

const fixtures = join(__dirname, '..', '..', '..', 'test', 'fixtures')
const roots = JSON.parse(readFileSync(join(fixtures, 'merkle-roots.json'), 'utf8')) as {
  sets: Array<{ name: string, salt: string, count: number, entries: Array<[string, string]>, root: string, topHash: string, nodes?: Array<{ key: string, priority: string, valueHash: string, nodeHash: string, left: string | null, right: string | null }> }>
}
const proofs = JSON.parse(readFileSync(join(fixtures, 'merkle-proofs.json'), 'utf8')) as {
  proofs: Array<{ name: string, set: string, root: string, query: { key?: string, range?: Record<string, unknown> }, proof: string, invalid: Array<{ change: string, hex: string, code: string }> }>
}

const sha = (...parts: Uint8Array[]): string => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest('hex')
}

test('golden roots: library, standalone computeRoot and the naive implementation agree with the vectors', t => {
  t.equal(roots.sets.length, ENTRY_SETS.length, 'one vector per entry set')
  for (const set of roots.sets) {
    const entries = set.entries.map(([k, v]) => [fromHex(k), fromHex(v)] as [Uint8Array, Uint8Array])
    const salt = fromHex(set.salt)
    t.equal(entries.length, set.count, `${set.name}: count`)
    t.equal(toHex(naiveRoot(entries, salt)), set.root, `${set.name}: naive root`)
    t.equal(toHex(computeRoot(entries.map(([key, value]) => ({ key, value })), salt)), set.root, `${set.name}: computeRoot`)
    const generated = ENTRY_SETS.find(s => s.name === set.name)
    t.ok(generated !== undefined, `${set.name}: still generated`)
    if (generated !== undefined) t.equal(toHex(treeOf(generated).root()), set.root, `${set.name}: library root`)
  }
  t.end()
})

test('golden intermediate hashes of the small sets follow the spec', t => {
  let checked = 0
  for (const set of roots.sets) {
    if (set.nodes === undefined) continue
    const salt = fromHex(set.salt)
    const byKey = new Map(set.nodes.map(n => [n.key, n]))
    const values = new Map(set.entries.map(([k, v]) => [k, v]))
    for (const node of set.nodes) {
      const key = fromHex(node.key)
      t.equal(node.priority, sha(Uint8Array.of(0x03), salt, key), `${set.name}/${node.key}: priority`)
      t.equal(node.valueHash, sha(Uint8Array.of(0x02), fromHex(values.get(node.key) as string)), `${set.name}/${node.key}: value hash`)
      const child = (k: string | null): Uint8Array => k === null ? new Uint8Array(32) : fromHex((byKey.get(k) as { nodeHash: string }).nodeHash)
      const len = Buffer.alloc(4)
      len.writeUInt32BE(key.length)
      t.equal(node.nodeHash, sha(Uint8Array.of(0x01), child(node.left), child(node.right), fromHex(node.valueHash), len, key), `${set.name}/${node.key}: node hash`)
      for (const c of [node.left, node.right]) {
        if (c !== null) t.ok((byKey.get(c) as { priority: string }).priority < node.priority, `${set.name}/${node.key}: child ${c} has a lower priority`)
      }
      checked++
    }
    if (set.nodes.length > 0) t.equal(set.nodes[0].nodeHash, set.topHash, `${set.name}: the first node is the top`)
  }
  t.ok(checked >= 10, `${checked} nodes checked`)
  t.end()
})

function modelOf (setName: string): SortedModel {
  const model = new SortedModel()
  for (const [k, v] of (ENTRY_SETS.find(s => s.name === setName) as { entries: Array<[Uint8Array, Uint8Array]> }).entries) model.put(k, v)
  return model
}

test('golden proofs verify, answer as the model does, and are canonical', t => {
  t.equal(proofs.proofs.length, PROOF_CASES.length, 'one vector per case')
  for (let i = 0; i < proofs.proofs.length; i++) {
    const vector = proofs.proofs[i]
    const bytes = fromHex(vector.proof)
    const model = modelOf(vector.set)
    t.equal(toHex(encodeProof(proofOf(PROOF_CASES[i]))), vector.proof, `${vector.name}: proving again gives the same bytes`)
    t.equal(toHex(encodeProof(proofFromJson(JSON.stringify(proofToJson(decodeProof(bytes)))))), vector.proof, `${vector.name}: JSON round trip`)
    if (vector.query.key !== undefined) {
      const fact = verifyProof(vector.root, bytes)
      const expected = model.get(fromHex(vector.query.key))
      t.equal(toHex(fact.key), vector.query.key, `${vector.name}: key`)
      t.equal(fact.present, expected !== undefined, `${vector.name}: presence`)
      t.equal(fact.present ? toHex(fact.value) : null, expected === undefined ? null : toHex(expected), `${vector.name}: value`)
    } else {
      const fact = verifyRangeProof(vector.root, bytes)
      const q = PROOF_CASES[i].range ?? {}
      t.same(fact.entries.map(e => `${toHex(e.key)}=${toHex(e.value)}`), model.range(q).map(([k, v]) => `${toHex(k)}=${toHex(v)}`), `${vector.name}: entries`)
    }
    t.equal(fact(vector.root, bytes).count, model.size, `${vector.name}: count`)
  }
  t.end()
})

function fact (root: string, bytes: Uint8Array): { count: number } {
  const proof = decodeProof(bytes)
  return proof.kind === 'key' ? verifyProof(root, proof) : verifyRangeProof(root, proof)
}

test('golden invalid variants are rejected with their codes', t => {
  let n = 0
  for (const vector of proofs.proofs) {
    for (const bad of vector.invalid) {
      try {
        fact(vector.root, fromHex(bad.hex))
        t.fail(`${vector.name}, ${bad.change}: accepted`)
      } catch (err) {
        t.equal((err as { code?: string }).code, bad.code, `${vector.name}, ${bad.change}: ${bad.code}`)
      }
      n++
    }
    // The same proof against the root of another set.
    const other = proofs.proofs.find(p => p.root !== vector.root) as { root: string }
    try {
      fact(other.root, fromHex(vector.proof))
      t.fail(`${vector.name}: accepted against another root`)
    } catch (err) {
      t.equal((err as { code?: string }).code, 'LEVEL_PROOF_ROOT_MISMATCH', `${vector.name}: another root`)
    }
  }
  t.ok(n >= 80, `${n} invalid variants checked`)
  t.end()
})
