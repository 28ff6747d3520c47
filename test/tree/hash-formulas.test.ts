/**
 * The two hash paths agree: the formulas of lib/tree/hash-formulas.ts with
 * @noble/hashes (the verifier's) give the same digests as the database's
 * node:crypto path (lib/tree/node-crypto-hashes.ts, priority.ts,
 * lazy-hashing.ts), for preimages of every size class, including those
 * beyond the database's scratch buffer.
 */
import test from 'tape'
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import { sha256 } from '@noble/hashes/sha2'
import { toHex } from '../../lib/bytes'
import { nodeHash, priorityPrefix30, valueHash } from '../../lib/tree/node-crypto-hashes'
import { nodeHashWith, priorityWith, rootWith, valueHashWith } from '../../lib/tree/hash-formulas'
import { priorityDigest } from '../../lib/tree/priority'
import { rootDigest } from '../../lib/tree/lazy-hashing'

const noble = (b: Uint8Array): Uint8Array => sha256(b)
const prefix30 = (d: Uint8Array): number => (d[0] << 22) | (d[1] << 14) | (d[2] << 6) | (d[3] >>> 2)
const bytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 60000, maxLength: 70000 }))
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 })
const salt = fc.uint8Array({ maxLength: 32 })

test('@noble/hashes and node:crypto give identical SHA-256 digests', t => {
  let n = 0
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), b => {
    n++
    return toHex(sha256(b)) === createHash('sha256').update(b).digest('hex')
  }), { numRuns: 500, seed: 0xd1 })
  t.pass(`${n} inputs`)
  t.end()
})

test('the verifier\'s formulas equal the database\'s hashes', t => {
  let n = 0
  fc.assert(fc.property(bytes, salt, digest, digest, fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (b, s, l, r, count) => {
    n++
    const vh = valueHashWith(noble, b)
    return toHex(vh) === toHex(valueHash(b)) &&
      toHex(priorityWith(noble, s, b)) === toHex(priorityDigest(b, { salt: s })) &&
      prefix30(priorityWith(noble, s, b)) === priorityPrefix30(s, b) &&
      toHex(nodeHashWith(noble, l, r, vh, b)) === toHex(nodeHash(l, r, vh, b)) &&
      toHex(rootWith(noble, s, count, l)) === toHex(rootDigest(l, count, { salt: s }))
  }), { numRuns: 120, seed: 0xd2 })
  t.pass(`${n} inputs, some longer than the 64 KiB scratch buffer`)
  t.end()
})
