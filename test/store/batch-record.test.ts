/**
 * The batch record codec: round trips of every operation kind, and refusal
 * of every malformed payload without throwing; applying long batches.
 */
import test from 'tape'
import fc from 'fast-check'
import { RECORD_HEADER_SIZE, RecordProblem, applyOps, decodeRecord, encodeRecord, recordSize } from '../../lib/store/batch-record'
import { Tree } from '../../lib/tree/tree'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { toHex } from '../../lib/bytes'
import { SortedModel } from '../util/model'
import { rootOf } from '../util/db'
import type { WriteOp } from '../../lib/store/batch-record'
import { range, smallKey, smallValue } from '../util/arbitraries'

const op: fc.Arbitrary<WriteOp> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key: fc.uint8Array({ maxLength: 300 }), value: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ type: fc.constant('del' as const), key: smallKey }),
  fc.record({ type: fc.constant('clear' as const), range })
)

function encode (seq: number, ops: WriteOp[]): Uint8Array {
  const buf = new Uint8Array(recordSize(ops))
  encodeRecord(buf, 0, seq, ops)
  return buf
}

test('batch record: round trip of puts, dels and ranged clears', t => {
  fc.assert(fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.array(op, { maxLength: 12 }), (seq, ops) => {
    const decoded = decodeRecord(encode(seq, ops))
    if (!decoded.ok) return false
    return decoded.record.seq === seq && JSON.stringify(norm(decoded.record.ops)) === JSON.stringify(norm(ops))
  }), { numRuns: 500 })
  t.pass('500 random batches round-tripped')
  t.end()
})

test('batch record: stored copies are independent of the caller\'s buffers', t => {
  const key = Uint8Array.of(1, 2, 3)
  const value = Uint8Array.of(9)
  const buf = new Uint8Array(recordSize([{ type: 'put', key, value }]))
  const [stored] = encodeRecord(buf, 0, 1, [{ type: 'put', key, value }])
  key[0] = 77
  value[0] = 77
  t.same(Array.from((stored as { key: Uint8Array }).key), [1, 2, 3])
  t.same(Array.from((stored as { value: Uint8Array }).value), [9])
  t.end()
})

test('batch record: every truncation and every single-byte change is refused or decodes to a well-formed batch', t => {
  const ops: WriteOp[] = [
    { type: 'put', key: Uint8Array.of(1, 2), value: Uint8Array.of(3) },
    { type: 'del', key: Uint8Array.of(4) },
    { type: 'clear', range: { gte: Uint8Array.of(5), lt: Uint8Array.of(6), limit: 2, reverse: true } }
  ]
  const good = encode(42, ops)
  let refused = 0
  let cases = 0
  for (let n = 0; n < good.length; n++) {
    cases++
    if (!decodeRecord(good.subarray(0, n)).ok) refused++
  }
  t.is(refused, good.length, 'every truncation refused')
  for (let i = 0; i < good.length; i++) {
    for (const v of [0x00, 0xff, good[i] ^ 0x01]) {
      const bad = good.slice()
      bad[i] = v
      cases++
      decodeRecord(bad) // must not throw
    }
  }
  t.ok(!decodeRecord(Uint8Array.of(...good, 0)).ok, 'trailing byte refused')
  t.pass(`${cases} damaged payloads decoded without throwing`)
  t.end()
})

test('batch record: absurd counts and lengths are refused before allocating', t => {
  const header = new Uint8Array(RECORD_HEADER_SIZE)
  header[0] = 1
  header.set([0xff, 0xff, 0xff, 0xff], 8)
  t.is(decodeRecord(header).ok, false, 'count of 2^32-1 with no bytes')
  const bigLength = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f)
  t.is(decodeRecord(bigLength).ok, false, 'key length of 4 GiB')
  t.is(decodeRecord(new Uint8Array(RECORD_HEADER_SIZE)).ok, false, 'sequence number 0')
  t.end()
})

test('batch record: a sequence number beyond 2^53 - 1 is reported as such, not as a short record', t => {
  const max = new Uint8Array(RECORD_HEADER_SIZE).fill(0xff, 0, 8)
  t.same(decodeRecord(max), { ok: false, problem: RecordProblem.sequenceTooLarge }, 'sequence 2^64 - 1')
  const above = new Uint8Array(RECORD_HEADER_SIZE)
  above[6] = 0x20
  t.same(decodeRecord(above), { ok: false, problem: RecordProblem.sequenceTooLarge }, 'sequence 2^53')
  t.same(decodeRecord(max.subarray(0, RECORD_HEADER_SIZE - 1)), { ok: false, problem: RecordProblem.short }, 'eleven bytes: short')
  t.same(decodeRecord(new Uint8Array(RECORD_HEADER_SIZE)), { ok: false, problem: RecordProblem.sequenceZero }, 'sequence 0')
  t.end()
})

test('batch record: keys and values of every byte and of a megabyte', t => {
  const big = new Uint8Array(1 << 20).map((_, i) => i * 7)
  const ops: WriteOp[] = [
    { type: 'put', key: new Uint8Array(0), value: new Uint8Array(0) },
    { type: 'put', key: Uint8Array.of(0), value: Uint8Array.of(0xff) },
    { type: 'put', key: big, value: big }
  ]
  const decoded = decodeRecord(encode(7, ops))
  t.ok(decoded.ok)
  if (decoded.ok) t.same(norm(decoded.record.ops), norm(ops))
  t.end()
})

function norm (ops: WriteOp[]): unknown[] {
  return ops.map(o => o.type === 'clear'
    ? { type: 'clear', ...Object.fromEntries(Object.entries(o.range).filter(([, v]) => v !== undefined && v !== false && !(typeof v === 'number' && v < 0)).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v instanceof Uint8Array ? Array.from(v) : v])) }
    : o.type === 'put' ? { type: 'put', key: Array.from(o.key), value: Array.from(o.value) } : { type: 'del', key: Array.from(o.key) })
}
void smallValue

test('batch record: applying a long batch (in key order) has the effect of applying it op by op', t => {
  // Long runs of puts and dels on few keys (so that one key is written many times) with
  // range deletes between them: runs of 64 or more are applied sorted, shorter ones in order.
  const putOrDel: fc.Arbitrary<WriteOp> = fc.oneof(
    { weight: 2, arbitrary: fc.record({ type: fc.constant('put' as const), key: smallKey, value: smallValue }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('del' as const), key: smallKey }) }
  )
  const clear: fc.Arbitrary<WriteOp> = fc.record({ type: fc.constant('clear' as const), range })
  const batch = fc.array(fc.tuple(fc.array(putOrDel, { minLength: 20, maxLength: 200, size: 'max' }), fc.option(clear, { nil: undefined })), { minLength: 1, maxLength: 3 })
    .map(parts => parts.flatMap(([run, c]) => c === undefined ? run : [...run, c]))
  let runs = 0
  fc.assert(fc.property(batch, ops => {
    runs++
    const applied = applyOps(Tree.empty(DEFAULT_PARAMS), ops)
    const model = new SortedModel()
    for (const o of ops) {
      if (o.type === 'put') model.put(o.key, o.value)
      else if (o.type === 'del') model.del(o.key)
      else model.clear(o.range)
    }
    const got: string[] = []
    const cursor = applied.cursor()
    cursor.first()
    for (let n = cursor.current; n !== null; cursor.advance(), n = cursor.current) got.push(`${toHex(n.key)}=${toHex(n.value)}`)
    return JSON.stringify(got) === JSON.stringify(model.entries().map(([k, v]) => `${toHex(k)}=${toHex(v)}`)) &&
      toHex(applied.root()) === rootOf(model.entries())
  }), { numRuns: 300 })
  t.pass(`${runs} long batches applied with the effect of their order`)
  t.end()
})
