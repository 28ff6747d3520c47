/**
 * The pending operations table against a Map by key: random adds (keys
 * that share prefixes and hashes' low bits, empty keys, replacements),
 * lookups, sorted listings and takes in slices, through several growths
 * and refills.
 */
import test from 'tape'
import fc from 'fast-check'
import { PendingOps } from '../../lib/store/pending-ops'
import type { KeyedOp } from '../../lib/store/pending-ops'
import { compareBytes, toHex } from '../../lib/bytes'

// Keys from a few bytes, so that adds replace and prefixes tie.
const key = fc.uint8Array({ minLength: 0, maxLength: 6, max: 3 })
const op: fc.Arbitrary<KeyedOp> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key, value: fc.uint8Array({ maxLength: 4 }) }),
  fc.record({ type: fc.constant('del' as const), key })
)

const label = (op: KeyedOp | undefined): string => op === undefined ? 'none' : `${op.type} ${toHex(op.key)} ${op.type === 'put' ? toHex(op.value) : ''}`

test('pending ops: lookups, order and takes match a map by key', t => {
  fc.assert(fc.property(fc.array(fc.array(op, { maxLength: 400 }), { minLength: 1, maxLength: 3 }), fc.array(key, { maxLength: 30 }), fc.integer({ min: 1, max: 50 }), (rounds, probes, slice) => {
    const pending = new PendingOps()
    for (const ops of rounds) {
      const model = new Map<string, KeyedOp>()
      for (const o of ops) {
        pending.add(o)
        model.set(toHex(o.key), o)
      }
      if (pending.size !== model.size) return false
      for (const k of [...probes, ...ops.map(o => o.key)]) {
        if (pending.lookup(k) !== model.get(toHex(k))) return false
      }
      const expected = [...model.values()].sort((a, b) => compareBytes(a.key, b.key))
      if (pending.sorted().map(label).join() !== expected.map(label).join()) return false
      // Taken in slices: what is taken is no longer pending, the rest still is.
      const taken: KeyedOp[] = []
      while (pending.size > 0) {
        const part = pending.take(slice)
        taken.push(...part)
        for (const o of part) if (pending.lookup(o.key) !== undefined) return false
        for (const o of expected.slice(taken.length)) if (pending.lookup(o.key) !== o) return false
      }
      if (taken.map(label).join() !== expected.map(label).join()) return false
      if (pending.bytes !== 0 || pending.lookup(ops[0]?.key ?? new Uint8Array(0)) !== undefined) return false
    }
    return true
  }), { numRuns: 150 })
  t.pass('150 histories')
  t.end()
})

test('pending ops: 10^5 distinct keys through the table\'s growths', t => {
  const pending = new PendingOps()
  const keyOf = (i: number): Uint8Array => new Uint8Array([i >>> 16, (i >>> 8) & 255, i & 255])
  for (let i = 0; i < 100_000; i++) pending.add({ type: 'put', key: keyOf(i), value: new Uint8Array([i & 255]) })
  for (let i = 0; i < 100_000; i += 7) pending.add({ type: 'del', key: keyOf(i) })
  t.is(pending.size, 100_000)
  t.is(pending.lookup(keyOf(7))?.type, 'del')
  t.is(pending.lookup(keyOf(8))?.type, 'put')
  t.is(pending.lookup(keyOf(100_000)), undefined, 'a key never added')
  const sorted = pending.sorted()
  t.is(sorted.length, 100_000)
  t.ok(sorted.every((o, i) => i === 0 || compareBytes(sorted[i - 1].key, o.key) < 0), 'in key order')
  t.throws(() => { pending.take(1); pending.add({ type: 'del', key: keyOf(1) }) }, /add after take/, 'no adds while a take is under way')
  t.end()
})
