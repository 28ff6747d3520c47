/**
 * The 30-bit key prefix that nodes keep (bytes.ts keyPrefix): comparisons
 * through it order keys exactly as their bytes do, and a tree whose keys tie
 * on the prefix in every way (short keys, zero bytes, a fourth byte differing
 * in its two low bits only, longer tails) still matches the sorted-map model.
 */
import test from 'tape'
import fc from 'fast-check'
import { compareBytes, compareKeys, keyPrefix, toHex } from '../../lib/bytes'
import { Tree } from '../../lib/tree/tree'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { scanTree } from '../../lib/tree/invariants'
import { SortedModel } from '../util/model'
import type { ModelRange } from '../util/model'

// 0-6 bytes from an alphabet whose members differ in the prefix's last two bits only (0x00,
// 0x01, 0x03) or not at all once past the fourth byte: the prefix ties often.
const tieKey = fc.array(fc.constantFrom(0x00, 0x01, 0x03, 0x61, 0xfc, 0xff), { maxLength: 6 }).map(a => Uint8Array.from(a))
const sign = (n: number): number => n < 0 ? -1 : n > 0 ? 1 : 0

test('key prefix: comparing through the prefix agrees with comparing bytes', t => {
  let runs = 0
  for (const arb of [tieKey, fc.uint8Array({ maxLength: 8 })]) {
    fc.assert(fc.property(arb, arb, (a, b) => {
      runs++
      return sign(compareKeys(a, keyPrefix(a), b, keyPrefix(b))) === sign(compareBytes(a, b))
    }), { numRuns: 5000 })
  }
  t.is(keyPrefix(new Uint8Array(0)), 0, 'the empty key has prefix 0')
  t.is(keyPrefix(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff)), 2 ** 30 - 1, 'the largest prefix is 2^30 - 1')
  t.is(keyPrefix(Uint8Array.of(0, 0, 0, 3)), 0, "a fourth byte's two low bits are outside the prefix")
  t.is(keyPrefix(Uint8Array.of(0, 0, 0, 4)), 1)
  t.pass(`${runs} pairs ordered alike`)
  t.end()
})

test('key prefix: a tree of prefix-tied keys matches the model through puts, deletes, range deletes and seeks', t => {
  const bound = fc.option(fc.record({ key: tieKey, inclusive: fc.boolean() }), { nil: undefined })
  const range = fc.record({ low: bound, high: bound, reverse: fc.boolean() }).map(({ low, high, reverse }) => {
    const r: ModelRange = { reverse }
    if (low !== undefined) r[low.inclusive ? 'gte' : 'gt'] = low.key
    if (high !== undefined) r[high.inclusive ? 'lte' : 'lt'] = high.key
    return r
  })
  let runs = 0
  fc.assert(fc.property(
    fc.array(fc.oneof(
      fc.record({ type: fc.constant('put' as const), key: tieKey }),
      fc.record({ type: fc.constant('del' as const), key: tieKey }),
      fc.record({ type: fc.constant('clear' as const), range })
    ), { maxLength: 60, size: 'medium' }),
    tieKey, fc.boolean(),
    (ops, target, reverse) => {
      runs++
      let tree = Tree.empty(DEFAULT_PARAMS)
      const model = new SortedModel()
      for (const [i, op] of ops.entries()) {
        const value = Uint8Array.of(i & 0xff)
        if (op.type === 'put') { tree = tree.put(op.key, value); model.put(op.key, value) } else if (op.type === 'del') { tree = tree.del(op.key); model.del(op.key) } else { tree = tree.delRange(op.range); model.clear(op.range) }
      }
      const expected = model.entries().map(([k, v]) => `${toHex(k)}=${toHex(v)}`)
      const got: string[] = []
      const cursor = tree.cursor()
      cursor.first()
      for (let n = cursor.current; n !== null; cursor.advance(), n = cursor.current) got.push(`${toHex(n.key)}=${toHex(n.value)}`)
      if (JSON.stringify(got) !== JSON.stringify(expected)) return false
      for (const [k, v] of model.entries()) {
        const stored = tree.get(k)
        if (stored === undefined || toHex(stored) !== toHex(v)) return false
      }
      if (scanTree(tree.top, DEFAULT_PARAMS).problems.length > 0) return false
      const seek = tree.cursor(reverse)
      seek.seek(target, true)
      const wanted = model.range(reverse ? { reverse, lte: target } : { gte: target }).map(([k]) => toHex(k))
      const seen: string[] = []
      for (let n = seek.current; n !== null; seek.advance(), n = seek.current) seen.push(toHex(n.key))
      return JSON.stringify(seen) === JSON.stringify(wanted)
    }
  ), { numRuns: 500 })
  t.pass(`${runs} operation sequences over prefix-tied keys matched the model`)
  t.end()
})
