/**
 * The golden change proofs of docs/MERKLE.md section 11
 * (test/fixtures/merkle-change-proofs.json): each verifies with the
 * standalone verifier from the root of its set to the root the naive
 * implementation gives for the set after its operations, returns exactly its
 * operations, is what the library proves again byte for byte, survives the
 * JSON round trip, and each invalid variant is rejected with its code.
 */
import test from 'tape'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fromHex, toHex } from '../../lib/bytes'
import { changeProofFromJson, changeProofToJson, decodeChangeProof, encodeChangeProof, verifyChangeProof } from '../../verify'
import type { ChangeOpJson } from '../../verify'
import { proveChange } from '../../lib/tree/prove-change'
import { ENTRY_SETS, setNamed, treeOf } from '../fixtures/generate'
import { CHANGE_CASES } from '../fixtures/change-cases'
import { naiveRoot } from '../util/naive-root'
import { SortedModel } from '../util/model'
import { codeOf } from '../util/codes'

interface ChangeVector {
  name: string
  set: string
  from: string
  to: string
  ops: ChangeOpJson[]
  countAfter: number
  proof: string
  invalid: Array<{ change: string, hex: string, code: string }>
}

const fixtures = join(__dirname, '..', '..', '..', 'test', 'fixtures')
const vectors = (JSON.parse(readFileSync(join(fixtures, 'merkle-change-proofs.json'), 'utf8')) as { proofs: ChangeVector[] }).proofs

// The set after the operations, by brute force: the last operation on a key wins.
function modelAfter (vector: ChangeVector): SortedModel {
  const model = new SortedModel()
  for (const [k, v] of setNamed(vector.set).entries) model.put(k, v)
  for (const op of vector.ops) {
    if (op.type === 'put') model.put(fromHex(op.key), fromHex(op.value))
    else model.del(fromHex(op.key))
  }
  return model
}

test('golden change proofs verify between the naive roots and give their operations', t => {
  t.equal(vectors.length, CHANGE_CASES.length, 'one vector per case')
  t.ok(ENTRY_SETS.length > 0)
  for (let i = 0; i < vectors.length; i++) {
    const vector = vectors[i]
    const set = setNamed(vector.set)
    const after = modelAfter(vector)
    t.equal(vector.from, toHex(naiveRoot(set.entries, set.salt)), `${vector.name}: from is the naive root of the set`)
    t.equal(vector.to, toHex(naiveRoot(after.entries(), set.salt)), `${vector.name}: to is the naive root after the operations`)
    const fact = verifyChangeProof(fromHex(vector.proof), { from: vector.from, to: vector.to.toUpperCase() })
    t.same(changeProofToJson({ kind: 'change', salt: fact.salt, count: 0, ops: fact.ops, nodes: [] }).ops, vector.ops, `${vector.name}: the operations`)
    t.equal(toHex(fact.salt), toHex(set.salt), `${vector.name}: salt`)
    t.same([fact.countBefore, fact.countAfter], [set.entries.length, after.size], `${vector.name}: counts`)
    t.equal(vector.countAfter, after.size, `${vector.name}: the fixture's count after`)
    const again = proveChange(treeOf(set), CHANGE_CASES[i].ops)
    t.equal(toHex(encodeChangeProof(again.proof)), vector.proof, `${vector.name}: proving again gives the same bytes`)
    const json = JSON.stringify(changeProofToJson(decodeChangeProof(fromHex(vector.proof))))
    t.equal(toHex(encodeChangeProof(changeProofFromJson(json))), vector.proof, `${vector.name}: JSON round trip`)
  }
  t.end()
})

test('golden change proofs: invalid variants and other roots are refused with their codes', t => {
  let n = 0
  for (const vector of vectors) {
    const roots = { from: vector.from, to: vector.to }
    for (const bad of vector.invalid) {
      t.equal(codeOf(() => verifyChangeProof(fromHex(bad.hex), roots)), bad.code, `${vector.name}, ${bad.change}: ${bad.code}`)
      n++
    }
    const other = vectors.find(v => v.from !== vector.from && v.to !== vector.to && v.from !== vector.to) as ChangeVector
    const bytes = fromHex(vector.proof)
    t.equal(codeOf(() => verifyChangeProof(bytes, { from: other.from, to: vector.to })), 'LEVEL_PROOF_ROOT_MISMATCH', `${vector.name}: another from`)
    t.equal(codeOf(() => verifyChangeProof(bytes, { from: vector.from, to: other.to })), 'LEVEL_PROOF_ROOT_MISMATCH', `${vector.name}: another to`)
    t.equal(codeOf(() => verifyChangeProof(bytes, { from: vector.from, to: vector.to.slice(1) })), 'LEVEL_INVALID_VALUE', `${vector.name}: a malformed root`)
  }
  t.ok(n >= 60, `${n} invalid variants checked`)
  t.end()
})
