/**
 * Proofs against a brute-force model, over random databases (empty and
 * one-entry ones included, with and without a salt): every key proof and
 * every range proof verifies against its own root with exactly the model's
 * answer, survives the binary and JSON round trips, and fails against any
 * other root.
 */
import test from 'tape'
import fc from 'fast-check'
import { toHex } from '../../lib/bytes'
import { Tree } from '../../lib/tree/tree'
import { proveKey, proveRange } from '../../lib/tree/prove'
import { decodeProof, encodeProof, proofFromJson, proofToJson, verifyProof, verifyRangeProof } from '../../verify'
import { SortedModel, inRange, treeAndModel } from '../util/model'
import type { ModelRange } from '../util/model'
import { range as rangeArb, smallKey, smallValue } from '../util/arbitraries'
import { codeOf } from '../util/codes'

const key = fc.oneof(smallKey, fc.uint8Array({ maxLength: 4 }))
const salt = fc.constantFrom(new Uint8Array(0), Uint8Array.of(7), Uint8Array.from({ length: 32 }, (_, i) => 255 - i))
const contents = fc.array(fc.tuple(key, smallValue), { maxLength: 24 })

const show = (entries: Array<[Uint8Array, Uint8Array]>): string[] => entries.map(([k, v]) => `${toHex(k)}=${toHex(v)}`)

// A root of other contents: one entry added, changed or removed.
function otherRoot (tree: Tree, model: SortedModel): Uint8Array {
  const entries = model.entries()
  if (entries.length === 0) return tree.put(new Uint8Array(0), new Uint8Array(0)).root()
  const [k, v] = entries[entries.length >> 1]
  return entries.length % 2 === 0 ? tree.put(k, Uint8Array.from([...v, 1])).root() : tree.del(k).root()
}

test('key proofs: inclusion and absence match the model, and fail against other roots', t => {
  let present = 0
  let absent = 0
  fc.assert(fc.property(contents, fc.array(key, { maxLength: 8 }), salt, (pairs, probes, s) => {
    const { tree, model } = treeAndModel(pairs, s)
    const root = tree.root()
    const other = otherRoot(tree, model)
    for (const k of [...model.entries().map(([k]) => k), ...probes]) {
      const proof = proveKey(tree, k)
      const bytes = encodeProof(proof)
      for (const form of [proof, bytes, decodeProof(bytes), proofFromJson(JSON.stringify(proofToJson(proof)))]) {
        const fact = verifyProof(root, form)
        const expected = model.get(k)
        if (toHex(fact.key) !== toHex(k) || fact.count !== model.size || toHex(fact.salt) !== toHex(s)) return false
        if (fact.present !== (expected !== undefined)) return false
        if (fact.present && toHex(fact.value) !== toHex(expected as Uint8Array)) return false
      }
      if (model.get(k) !== undefined) present++
      else absent++
      if (codeOf(() => verifyProof(other, bytes)) !== 'LEVEL_PROOF_ROOT_MISMATCH') return false
      const random = root.slice()
      random[31] ^= 0x80
      if (codeOf(() => verifyProof(random, bytes)) !== 'LEVEL_PROOF_ROOT_MISMATCH') return false
      if (codeOf(() => verifyRangeProof(root, bytes)) !== 'LEVEL_INVALID_PROOF') return false
    }
    return true
  }), { numRuns: 300, seed: 0x3e1 })
  t.pass(`${present} inclusion and ${absent} absence proofs checked`)
  t.ok(present > 500 && absent > 500, 'both kinds were exercised')
  t.end()
})

test('range proofs: exactly the model\'s entries, the covered part complete, other roots refused', t => {
  let proofs = 0
  let entries = 0
  let limited = 0
  fc.assert(fc.property(contents, fc.array(rangeArb, { minLength: 1, maxLength: 6 }), salt, (pairs, ranges, s) => {
    const { tree, model } = treeAndModel(pairs, s)
    const root = tree.root()
    const other = otherRoot(tree, model)
    for (const r of ranges) {
      const proof = proveRange(tree, r)
      const bytes = encodeProof(proof)
      const fact = verifyRangeProof(root, bytes)
      const expected = model.range(r)
      if (JSON.stringify(show(fact.entries.map(e => [e.key, e.value]))) !== JSON.stringify(show(expected))) return false
      // Completeness of what it claims to cover: the model has nothing else there.
      const covered = fact.covered
      const inCover = covered === null ? [] : model.entries().filter(([k]) => inRange(k, covered as ModelRange))
      const sorted = fact.entries.map(e => [e.key, e.value] as [Uint8Array, Uint8Array])
      if (r.reverse === true) sorted.reverse()
      if (JSON.stringify(show(inCover)) !== JSON.stringify(show(sorted))) return false
      if (covered === null && r.limit !== 0) return false
      if (r.limit !== undefined && expected.length === r.limit) limited++
      if (codeOf(() => verifyRangeProof(other, bytes)) !== 'LEVEL_PROOF_ROOT_MISMATCH') return false
      if (codeOf(() => verifyProof(root, bytes)) !== 'LEVEL_INVALID_PROOF') return false
      const viaJson = verifyRangeProof(root, proofFromJson(proofToJson(proof)))
      if (viaJson.entries.length !== expected.length) return false
      proofs++
      entries += expected.length
    }
    return true
  }), { numRuns: 300, seed: 0x3e2 })
  t.pass(`${proofs} range proofs with ${entries} entries checked, ${limited} cut by their limit`)
  t.ok(limited > 50, 'limits that were reached were exercised')
  t.end()
})

test('an empty database proves every key absent and every range empty', t => {
  const tree = Tree.empty({ salt: new Uint8Array(0) })
  const root = tree.root()
  const fact = verifyProof(root, encodeProof(proveKey(tree, Uint8Array.of(1))))
  t.equal(fact.present, false, 'absent')
  t.equal(fact.count, 0, 'count 0')
  const range = verifyRangeProof(root, encodeProof(proveRange(tree, { gte: Uint8Array.of(0) })))
  t.same(range.entries, [], 'no entries')
  t.same(range.covered, { gte: Uint8Array.of(0) }, 'covers the range')
  t.equal(encodeProof(proveKey(tree, new Uint8Array(0))).length, 1 + 1 + 1 + 8 + 1 + 1, 'a header, the empty key and one empty node')
  t.end()
})
