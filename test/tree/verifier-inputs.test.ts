/**
 * What the standalone verifier accepts as input, as docs/MERKLE.md states it:
 * the entries and salt of computeRoot, roots in hexadecimal of either case,
 * and the limits a range proof can state (a proof object with any other
 * limit is refused; the database states the limits iterators honour).
 */
import test from 'tape'
import { MerkleLevel } from '../../index'
import { computeRoot, encodeProof, proofFromJson, proofToJson, verifyProof, verifyRangeProof } from '../../verify'
import type { RangeProof } from '../../verify'
import { toHex } from '../../lib/bytes'
import { codeOf } from '../util/codes'
import { tempLocation } from '../util/temp'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const abc = [{ key: enc('a'), value: enc('1') }, { key: enc('b'), value: enc('2') }, { key: enc('c'), value: enc('3') }]
const ABC_ROOT = 'de5f9d2294cadc7cfa32a1a0e3066cd9652d36e77f75b650bb4c06a3eb110972'

test('computeRoot takes an iterable of { key, value } Uint8Arrays and a salt of at most 32 bytes, and refuses anything else with LEVEL_INVALID_VALUE', t => {
  t.equal(toHex(computeRoot(abc)), ABC_ROOT, 'the abc vector')
  t.equal(toHex(computeRoot(abc.map(e => ({ key: Buffer.from(e.key), value: Buffer.from(e.value) })))), ABC_ROOT, 'Buffers are Uint8Arrays')
  t.equal(toHex(computeRoot((function * () { yield * abc })())), ABC_ROOT, 'any iterable, a generator too')
  const refused: Array<[string, () => unknown]> = [
    ['a number as key', () => computeRoot([{ key: 5, value: enc('1') }] as never)],
    ['a string as key', () => computeRoot([{ key: 'a', value: enc('1') }] as never)],
    ['a missing value', () => computeRoot([{ key: enc('a') }] as never)],
    ['an array of numbers as value', () => computeRoot([{ key: enc('a'), value: [1] }] as never)],
    ['a [key, value] pair', () => computeRoot([[enc('a'), enc('1')]] as never)],
    ['null as an entry', () => computeRoot([null] as never)],
    ['a bad entry after good ones', () => computeRoot([...abc, { key: enc('d'), value: 'x' }] as never)],
    ['keys not ascending', () => computeRoot([abc[1], abc[0]])],
    ['a repeated key', () => computeRoot([abc[0], abc[0]])],
    ['entries that are not iterable', () => computeRoot(5 as never)],
    ['null entries', () => computeRoot(null as never)],
    ['a salt of 33 bytes', () => computeRoot(abc, new Uint8Array(33))],
    ['a salt that is a string', () => computeRoot(abc, 'pep' as never)]
  ]
  for (const [what, call] of refused) t.equal(codeOf(call), 'LEVEL_INVALID_VALUE', what)
  t.equal(codeOf(() => computeRoot(abc, new Uint8Array(32))), 'accepted', 'a salt of 32 bytes')
  t.end()
})

test('a root is 32 bytes or 64 hexadecimal digits of either case', async t => {
  const db = new MerkleLevel<string, string>(tempLocation())
  await db.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '2' }, { type: 'put', key: 'c', value: '3' }])
  const proof = encodeProof(await db.prove('b'))
  await db.close()
  for (const root of [ABC_ROOT, ABC_ROOT.toUpperCase(), ABC_ROOT.slice(0, 10).toUpperCase() + ABC_ROOT.slice(10)]) {
    t.equal(codeOf(() => verifyProof(root, proof)), 'accepted', `accepted: ${root.slice(0, 12)}…`)
  }
  for (const [what, root] of [['63 digits', ABC_ROOT.slice(1)], ['65 digits', ABC_ROOT + '0'], ['a non-hex digit', 'g' + ABC_ROOT.slice(1)], ['a 0x prefix', '0x' + ABC_ROOT.slice(2)], ['spaces around', ` ${ABC_ROOT.slice(1)}`]]) {
    t.equal(codeOf(() => verifyProof(root, proof)), 'LEVEL_INVALID_VALUE', what)
  }
  const other = ABC_ROOT.slice(0, 63) + (ABC_ROOT[63] === '0' ? '1' : '0')
  t.equal(codeOf(() => verifyProof(other.toUpperCase(), proof)), 'LEVEL_PROOF_ROOT_MISMATCH', 'an upper-case root of another state')
})

test('limits: the database states what iterators honour; a proof can state 0..2^32-1 and nothing else', async t => {
  const db = new MerkleLevel<string, string>(tempLocation())
  await db.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '2' }, { type: 'put', key: 'c', value: '3' }])
  const root = await db.root()
  // As abstract-level iterators: anything but a non-negative integer means no limit.
  for (const limit of [-1, -5, Infinity, -Infinity, NaN, 2.5, 0.5]) {
    const proof = await db.proveRange({ limit })
    t.equal(proof.range.limit, undefined, `limit ${limit}: stated as no limit`)
    t.equal(verifyRangeProof(root, proof).entries.length, (await db.keys({ limit }).all()).length, `limit ${limit}: as many entries as the iterator gives`)
  }
  // Integers beyond the format's largest limit: no database held in memory reaches them.
  for (const limit of [2 ** 32, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
    t.equal((await db.proveRange({ limit })).range.limit, undefined, `limit ${limit}: stated as no limit`)
  }
  for (const limit of [0, 2, 2 ** 32 - 1]) {
    t.equal((await db.proveRange({ limit })).range.limit, limit, `limit ${limit}: stated`)
  }
  t.same(verifyRangeProof(root, await db.proveRange({ limit: 2 ** 32 - 1 })).covered, {}, 'a limit not reached leaves the cover whole')

  const base = await db.proveRange({ limit: 2 })
  await db.close()
  const withLimit = (limit: number): RangeProof => ({ ...base, range: { ...base.range, limit } })
  for (const limit of [-1, Infinity, NaN, 2.5, 2 ** 32, 2 ** 53]) {
    t.equal(codeOf(() => encodeProof(withLimit(limit))), 'LEVEL_INVALID_PROOF', `encodeProof, limit ${limit}`)
    t.equal(codeOf(() => verifyRangeProof(root, withLimit(limit))), 'LEVEL_INVALID_PROOF', `verifyRangeProof of an object, limit ${limit}`)
  }
  const json = proofToJson(base) as unknown as { range: Record<string, unknown> }
  for (const limit of [-1, 2.5, 2 ** 32, '2', null]) {
    t.equal(codeOf(() => proofFromJson({ ...json, range: { ...json.range, limit } })), 'LEVEL_INVALID_PROOF', `JSON limit ${String(limit)}`)
  }
  t.equal(codeOf(() => verifyRangeProof(root, withLimit(2))), 'accepted', 'the proof as made')
})

test('a sublevel\'s range proofs state the stored bounds docs/MERKLE.md gives', async t => {
  const db = new MerkleLevel<string, string>(tempLocation())
  const users = db.sublevel<string, string>('users', {})
  const x = users.sublevel<string, string>('x', {})
  await users.put('alice', '1')
  await x.put('k', 'v')
  const text = (r: object): Record<string, unknown> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Uint8Array ? new TextDecoder().decode(v) : v]))
  t.same(text((await db.proveRange({ gt: 'a' }, { sublevel: users })).range), { reverse: false, gt: '!users!a', lt: '!users"' }, 'an open upper side: the prefix with its last byte raised')
  t.same(text((await db.proveRange({ lte: 'b' }, { sublevel: users })).range), { reverse: false, gte: '!users!', lte: '!users!b' }, 'an open lower side: the prefix')
  t.same(text((await db.proveRange({}, { sublevel: x })).range), { reverse: false, gte: '!users!!x!', lt: '!users!!x"' }, 'a nested sublevel: its whole prefix')
  await db.close()
})
