/**
 * Sublevels on MerkleLevel: nested, with different encodings, atomic batches
 * across them, one root over all of them, and everything persisted across a
 * reopen.
 */
import test from 'tape'
import { MerkleLevel } from '../../index'
import { tempLocation } from '../util/temp'

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

test('sublevels: nested, mixed encodings, persisted across reopen', async t => {
  const location = tempLocation()
  const db = new MerkleLevel(location)
  // Nested: app/users (json values) and app/posts (text). A parent's range holds its
  // children's entries too, so the json sublevel gets no children of another encoding.
  const app = db.sublevel('app')
  const users = app.sublevel<string, { name: string, age: number }>('users', { valueEncoding: 'json' })
  const posts = app.sublevel<string, string>('posts', {})
  const blobs = db.sublevel<Uint8Array, Uint8Array>('blobs', { keyEncoding: 'view', valueEncoding: 'view' })
  await users.put('u1', { name: 'Ada', age: 36 })
  await posts.put('p1', 'first post')
  await blobs.put(Uint8Array.of(0, 255), Uint8Array.of(1, 2, 3))
  // One atomic batch across sublevels, from the root database (abstract-level's
  // typings cannot express operations of different sublevels in one array).
  const batchAcross = db.batch.bind(db) as (operations: unknown[]) => Promise<void>
  await batchAcross([
    { type: 'put', sublevel: users, key: 'u2', value: { name: 'Grace', age: 45 } },
    { type: 'put', sublevel: posts, key: 'p2', value: 'second post' },
    { type: 'del', sublevel: blobs, key: Uint8Array.of(0, 255) }
  ])
  const root = hex(await db.root())
  t.deepEqual(await db.keys().all(), ['!app!!posts!p1', '!app!!posts!p2', '!app!!users!u1', '!app!!users!u2'], 'the root database sees prefixed keys')
  await db.close()

  const again = new MerkleLevel(location)
  const app2 = again.sublevel('app')
  const users2 = app2.sublevel<string, { name: string, age: number }>('users', { valueEncoding: 'json' })
  const posts2 = app2.sublevel<string, string>('posts', {})
  const blobs2 = again.sublevel<Uint8Array, Uint8Array>('blobs', { keyEncoding: 'view', valueEncoding: 'view' })
  t.deepEqual(await users2.iterator().all(), [['u1', { name: 'Ada', age: 36 }], ['u2', { name: 'Grace', age: 45 }]], 'json sublevel after reopen')
  t.deepEqual(await posts2.iterator().all(), [['p1', 'first post'], ['p2', 'second post']], 'nested sublevel after reopen')
  t.deepEqual(await blobs2.keys().all(), [], 'the batch deleted the binary entry')
  t.equal(hex(await again.root()), root, 'same root after reopen')
  t.equal(posts2.prefix, '!app!!posts!', 'nested prefix')
  t.deepEqual(await app2.keys().all(), ['!posts!p1', '!posts!p2', '!users!u1', '!users!u2'], 'the parent sees its children, prefixed')
  await again.close()
})

test('sublevels: one root covers every sublevel; sublevel ranges stay inside it', async t => {
  const db = new MerkleLevel(tempLocation())
  const a = db.sublevel('a')
  const b = db.sublevel('b')
  const before = hex(await db.root())
  await b.put('x', '1')
  t.notEqual(hex(await db.root()), before, 'a write in a sublevel changes the root')
  await a.batch([{ type: 'put', key: '1', value: 'one' }, { type: 'put', key: '2', value: 'two' }])
  t.deepEqual(await a.keys({ gte: '' }).all(), ['1', '2'], 'a sublevel iterates only its own keys')
  await a.clear()
  t.deepEqual(await b.keys().all(), ['x'], 'clear() of one sublevel leaves the other alone')
  await b.del('x')
  t.equal(hex(await db.root()), before, 'back to the same contents, back to the same root')
  await db.close()
})
