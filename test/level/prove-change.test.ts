/**
 * Change proofs through the database: db.proveChange() encodes operations as
 * batch() does (encodings per call and per operation, sublevels), proves them
 * against the current state or a snapshot without changing the database, and
 * its `to` is the root the same batch gives when written; it works on a tree
 * read back from an image file, defers while opening and refuses bad input
 * with codes.
 */
import test from 'tape'
import { asyncCodeOf } from '../util/codes'
import { MerkleLevel, encodeChangeProof, verifyChangeProof } from '../../index'
import type { ChangeOperation } from '../../index'
import { toHex } from '../../lib/bytes'
import { tempLocation } from '../util/temp'

const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

async function filled (location = tempLocation()): Promise<MerkleLevel<string, string>> {
  const db = new MerkleLevel<string, string>(location)
  await db.batch(Array.from({ length: 50 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(2, '0')}`, value: `v${i}` })))
  return db
}

test('proveChange proves what batch() then does, and changes nothing itself', async t => {
  const db = new MerkleLevel<string, string>(tempLocation())
  t.ok(db.supports.additionalMethods.proveChange, 'in the manifest')
  const early = db.proveChange([{ type: 'put', key: 'a', value: '1' }])
  await db.batch(Array.from({ length: 50 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(2, '0')}`, value: `v${i}` })))
  t.equal((await early).proof.count, 0, 'a call made while opening runs once open (on the empty state)')
  const ops: ChangeOperation[] = [{ type: 'put', key: 'k07', value: 'seven' }, { type: 'del', key: 'k20' }, { type: 'put', key: 'new', value: 'n' }, { type: 'del', key: 'absent' }]
  const before = await db.root()
  const { proof, from, to } = await db.proveChange(ops)
  t.equal(toHex(from), toHex(before), 'from is the current root')
  t.equal(toHex(await db.root()), toHex(before), 'the database is unchanged')
  t.equal(await db.get('k20'), 'v20', 'k20 still there')
  const fact = verifyChangeProof(encodeChangeProof(proof), { from, to })
  t.same(fact.ops.map(op => op.type === 'put' ? `put ${dec(op.key)}=${dec(op.value)}` : `del ${dec(op.key)}`), ['put k07=seven', 'del k20', 'put new=n', 'del absent'], 'the operations, as stored bytes')
  t.same([fact.countBefore, fact.countAfter], [50, 50], 'counts')
  await db.batch(ops as never)
  t.equal(toHex(await db.root()), toHex(to), 'to is the root the same batch gives')
  await db.close()
  t.equal(await asyncCodeOf(async () => await db.proveChange([])), 'LEVEL_DATABASE_NOT_OPEN', 'closed')
})

test('proveChange against a snapshot, with encodings and sublevels', async t => {
  const db = await filled()
  const snapshot = db.snapshot()
  const then = await db.root({ snapshot })
  await db.put('later', 'x')
  const users = db.sublevel<string, { n: number }>('users', { valueEncoding: 'json' })
  const ops: ChangeOperation[] = [
    { type: 'put', key: 'ann', value: { n: 1 }, sublevel: users as never },
    { type: 'put', key: 7, value: 'seven', keyEncoding: 'json' },
    { type: 'put', key: 'k01', value: { one: true } }
  ]
  const { proof, from, to } = await db.proveChange(ops, { snapshot, valueEncoding: 'json' })
  t.equal(toHex(from), toHex(then), 'from is the snapshot\'s root')
  const fact = verifyChangeProof(proof, { from, to })
  t.same(fact.ops.map(op => op.type === 'put' ? `${dec(op.key)}=${dec(op.value)}` : ''), ['!users!ann={"n":1}', '7="seven"', 'k01={"one":true}'], 'keys prefixed and encoded, values encoded as batch() does')
  await snapshot.close()
  await db.del('later')
  await db.batch(ops as never, { valueEncoding: 'json' })
  t.equal(toHex(await db.root()), toHex(to), 'the batch with the same options gives to')
  await db.close()
})

test('proveChange on a state read back from its image file', async t => {
  const location = tempLocation()
  const db = await filled(location)
  await db.checkpoint()
  await db.close()
  const again = new MerkleLevel<string, string>(location)
  const ops: ChangeOperation[] = [{ type: 'del', key: 'k10' }, { type: 'del', key: 'k11' }, { type: 'put', key: 'k10', value: 'back' }]
  const { proof, from, to } = await again.proveChange(ops)
  t.same(verifyChangeProof(proof, { from, to }).countAfter, 49, 'verified: k11 deleted, k10 updated')
  await again.batch(ops as never)
  t.equal(toHex(await again.root()), toHex(to), 'to is the root after the batch')
  await again.close()
})

test('proveChange refuses bad input with codes', async t => {
  const db = await filled()
  const other = new MerkleLevel(tempLocation())
  await other.open()
  const code = async (ops: unknown, options?: object): Promise<string> => await asyncCodeOf(async () => await db.proveChange(ops as never, options))
  t.equal(await code('ops'), 'LEVEL_INVALID_VALUE', 'not an array')
  t.equal(await code([null]), 'LEVEL_INVALID_VALUE', 'an operation that is not an object')
  t.equal(await code([{ type: 'clear', key: 'a' }]), 'LEVEL_INVALID_VALUE', 'an unknown type')
  t.equal(await code([{ type: 'del', key: null }]), 'LEVEL_INVALID_KEY', 'a null key')
  t.equal(await code([{ type: 'put', key: 'a' }]), 'LEVEL_INVALID_VALUE', 'a put without a value')
  t.equal(await code([{ type: 'put', key: 'a', value: 'x', sublevel: other.sublevel('s') }]), 'LEVEL_INVALID_VALUE', 'a sublevel of another database')
  const foreign = other.snapshot()
  t.equal(await code([], { snapshot: foreign }), 'LEVEL_INVALID_VALUE', 'a snapshot of another database')
  await foreign.close()
  await other.close()
  await db.close()
})
