/**
 * Misuse of the extras gets a coded error and changes nothing: a `snapshot`
 * option that is not a snapshot of this database, a backup location that is
 * not a string, a backup into the database's own directory.
 */
import test from 'tape'
import { asyncCodeOf } from '../util/codes'
import { existsSync, readdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { MerkleLevel } from '../../index'
import type { AbstractSnapshot } from 'abstract-level'
import { tempLocation } from '../util/temp'

test('misuse: a snapshot option that is not a snapshot of this database', async t => {
  const db = new MerkleLevel(tempLocation('misuse'))
  const other = new MerkleLevel(tempLocation('misuse-other'))
  await db.put('a', '1')
  await other.open()
  const foreign = other.snapshot()
  for (const [what, snapshot] of [['a number', 1], ['a plain object', {}], ["another database's snapshot", foreign]] as const) {
    const options = { snapshot: snapshot as unknown as AbstractSnapshot }
    t.is(await asyncCodeOf(async () => await db.root(options)), 'LEVEL_INVALID_VALUE', `root: ${what}`)
    t.is(await asyncCodeOf(async () => await db.prove('a', options)), 'LEVEL_INVALID_VALUE', `prove: ${what}`)
    t.is(await asyncCodeOf(async () => await db.proveRange({}, options)), 'LEVEL_INVALID_VALUE', `proveRange: ${what}`)
    t.is(await asyncCodeOf(async () => await db.check(options)), 'LEVEL_INVALID_VALUE', `check: ${what}`)
  }
  // Snapshots of the database, and of a sublevel of it, are accepted.
  const own = db.snapshot()
  const sublevel = db.sublevel('s')
  await sublevel.open()
  const ofSublevel = sublevel.snapshot()
  t.same(await db.root({ snapshot: own }), await db.root())
  t.same(await db.root({ snapshot: ofSublevel }), await db.root())
  await own.close()
  await ofSublevel.close()
  await foreign.close()
  await other.close()
  await db.close()
})

test('misuse: backup to a location that is not a non-empty string', async t => {
  const db = new MerkleLevel(tempLocation('misuse'))
  await db.open()
  for (const location of [undefined, '', 5]) {
    t.is(await asyncCodeOf(async () => await db.backup(location as unknown as string)), 'LEVEL_INVALID_VALUE', String(location))
  }
  await db.close()
})

test('misuse: backup into a directory inside the database is refused and creates nothing', async t => {
  const location = tempLocation('misuse')
  const db = new MerkleLevel(location)
  await db.put('a', '1')
  const before = readdirSync(location).sort()
  // Also through a symbolic link to the database directory.
  const link = `${location}-link`
  symlinkSync(location, link)
  for (const target of [join(location, 'backup'), join(location, 'a', 'b'), join(location, '.', 'x'), link, join(link, 'backup'), join(link, 'a', 'b')]) {
    t.is(await asyncCodeOf(async () => await db.backup(target)), 'LEVEL_IO_ERROR', target)
    if (target !== link) t.notOk(existsSync(target), 'nothing created there')
  }
  t.same(readdirSync(location).sort(), before, 'nothing added to the database directory')
  // Beside it is fine.
  t.is((await db.backup(`${location}-copy`)).entries, 1)
  await db.close()
})
