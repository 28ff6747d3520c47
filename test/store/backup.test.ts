/**
 * Hot backup: db.backup(dir) writes a consistent copy of one captured
 * version while writes go on; the copy is a database that opens with the
 * same root.
 */
import test from 'tape'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { MerkleLevel } from '../../index'
import { tempLocation } from '../util/temp'

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

function key (i: number): string {
  return `k${String(i).padStart(5, '0')}`
}

async function entriesOf (db: MerkleLevel): Promise<Array<[string, string]>> {
  return await db.iterator().all()
}

test('backup: the copy opens with the same root and entries', async t => {
  const db = new MerkleLevel(tempLocation())
  await db.batch(Array.from({ length: 100 }, (_, i) => ({ type: 'put' as const, key: key(i), value: `v${i}` })))
  await db.del(key(7))
  const target = tempLocation('backup')
  const result = await db.backup(target)
  const root = hex(await db.root())
  t.equal(result.root, root, 'result names the root')
  t.equal(result.seq, 2, 'two batches covered')
  t.equal(result.entries, 99, 'entry count')
  t.equal(result.location, target, 'location')
  t.deepEqual(readdirSync(target), [result.file], 'the target holds one snapshot file and nothing else')

  const copy = new MerkleLevel(target)
  await copy.open()
  t.equal(hex(await copy.root()), root, 'same root')
  t.deepEqual(await entriesOf(copy), await entriesOf(db), 'same entries')
  t.equal(copy.recovery?.snapshot?.seq, 2, 'loaded the snapshot')
  t.equal(copy.recovery?.recordsReplayed, 0, 'no log to replay')
  await copy.put('after', 'backup')
  await copy.close()
  const reopened = new MerkleLevel(target)
  t.equal(await reopened.get('after'), 'backup', 'the copy takes writes that survive a reopen')
  t.equal(await reopened.get(key(8)), 'v8', 'and keeps the backed-up entries')
  await reopened.close()
  await db.close()
})

test('backup: consistent while writes continue', async t => {
  const db = new MerkleLevel(tempLocation(), { sync: false })
  await db.open()
  // One writer goes on writing; after its 100th batch it asks for a backup and does not wait.
  let backup: Promise<Awaited<ReturnType<typeof db.backup>>> | null = null
  for (let i = 1; i <= 300; i++) {
    await db.put(key(i), `v${i}`)
    if (i === 100) backup = db.backup(tempLocation('backup'))
  }
  const result = await (backup as NonNullable<typeof backup>)
  t.equal(result.seq, 100, 'captured at the moment it was asked for')

  const copy = new MerkleLevel(result.location)
  const got = await copy.keys().all()
  t.deepEqual(got, Array.from({ length: 100 }, (_, i) => key(i + 1)), 'exactly the first 100 batches')
  t.equal(hex(await copy.root()), result.root, 'the copy has the root the backup reported')
  t.equal(await db.keys().all().then(k => k.length), 300, 'the source kept every write')
  await copy.close()

  // The reported root is the root of those entries, computed independently.
  const model = new MerkleLevel(tempLocation())
  await model.batch(got.map((k, i) => ({ type: 'put' as const, key: k, value: `v${i + 1}` })))
  t.equal(hex(await model.root()), result.root, 'a database with the same entries has the same root')
  await model.close()
  await db.close()
})

test('backup: an empty database backs up to an empty database', async t => {
  const db = new MerkleLevel(tempLocation())
  await db.open()
  const result = await db.backup(tempLocation('backup'))
  t.equal(result.entries, 0, 'no entries')
  const copy = new MerkleLevel(result.location)
  await copy.open()
  t.equal(hex(await copy.root()), hex(await db.root()), 'same (empty) root')
  t.equal(copy.recovery?.created, false, 'the copy is an existing database, not a new one')
  await copy.close()
  await db.close()
})

test('backup: deferred while opening, refused after close', async t => {
  const db = new MerkleLevel(tempLocation())
  const result = await db.backup(tempLocation('backup'))
  t.equal(db.status, 'open', 'the backup waited for open')
  t.equal(result.seq, 0, 'of the new empty database')
  await db.close()
  try {
    await db.backup(tempLocation('backup'))
    t.fail('should have been refused')
  } catch (err) {
    t.equal((err as { code?: string }).code, 'LEVEL_DATABASE_NOT_OPEN', 'closed database: LEVEL_DATABASE_NOT_OPEN')
  }
})

test('backup: never overwrites anything', async t => {
  const location = tempLocation()
  const db = new MerkleLevel(location)
  await db.put('a', '1')
  const occupied = tempLocation('occupied')
  mkdirSync(occupied)
  writeFileSync(`${occupied}/something`, 'precious')
  const file = tempLocation('file')
  writeFileSync(file, 'precious')
  for (const [target, what] of [[occupied, 'a non-empty directory'], [file, 'a file'], [location, 'the database itself']]) {
    try {
      await db.backup(target)
      t.fail(`backup into ${what} should fail`)
    } catch (err) {
      t.equal((err as { code?: string }).code, 'LEVEL_IO_ERROR', `${what}: LEVEL_IO_ERROR`)
    }
  }
  t.deepEqual(readdirSync(occupied), ['something'], 'the non-empty directory is untouched')
  try {
    await db.backup('')
    t.fail('empty location should throw')
  } catch (err) {
    t.equal((err as { code?: string }).code, 'LEVEL_INVALID_VALUE', 'empty location: LEVEL_INVALID_VALUE')
  }
  const empty = tempLocation('empty')
  mkdirSync(empty)
  const result = await db.backup(empty)
  t.equal(result.entries, 1, 'an existing empty directory is accepted')
  t.equal(db.supports.additionalMethods.backup, true, 'the manifest lists backup')
  await db.close()
})
