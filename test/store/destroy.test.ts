/**
 * MerkleLevel.destroy: takes the lock open() takes, so that a database open
 * under any name is refused with LEVEL_LOCKED and nothing is deleted; deletes
 * only the database's own file names; a location that is no directory, or a
 * name of ours that is not a regular file, gets a coded error and nothing is
 * deleted.
 */
import test from 'tape'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { MerkleLevel } from '../../index'
import { tempLocation } from '../util/temp'
import { closedDatabase, dump, openBytes } from '../util/db'
import { rejectionCode } from '../util/codes'
import { probe } from '../util/open-probe'

test('destroy: through a symbolic link to a database open in this process: LEVEL_LOCKED, nothing deleted', async t => {
  const location = tempLocation('destroy')
  const link = `${location}-link`
  const db = await openBytes(location)
  await db.put(Uint8Array.of(1), Uint8Array.of(1))
  symlinkSync(location, link)
  const before = readdirSync(location).sort()
  t.is(await rejectionCode(MerkleLevel.destroy(link)), 'LEVEL_LOCKED')
  t.same(readdirSync(location).sort(), before, 'every file is still there')
  t.ok(lstatSync(link).isSymbolicLink(), 'the link is still there')
  await db.put(Uint8Array.of(2), Uint8Array.of(2))
  await db.close()
  const reopened = await openBytes(location)
  t.same(await dump(reopened), ['01=01', '02=02'], 'every acknowledged write survives a reopen')
  await reopened.close()
})

test('destroy: a database open by its own name: LEVEL_LOCKED, nothing deleted', async t => {
  const location = tempLocation('destroy')
  const db = await openBytes(location)
  await db.put(Uint8Array.of(1), Uint8Array.of(1))
  const before = readdirSync(location).sort()
  t.is(await rejectionCode(MerkleLevel.destroy(location)), 'LEVEL_LOCKED')
  t.same(readdirSync(location).sort(), before, 'every file is still there')
  await db.close()
})

test('destroy: deletes the database\'s own names only', async t => {
  const location = (await closedDatabase('destroy')).location
  const segment = readdirSync(location).find(n => n.endsWith('.log')) as string
  const ours = [`${segment}.corrupt-17`, `${segment}.discarded-18`, 'snapshot-00000000000000000001.mls.corrupt-19', 'LOCK.tmp-0123456789abcdef']
  const theirs = ['x.corrupt-123', 'notes.txt', 'wal-1.log.corrupt-1', 'snapshot.mls.discarded-2', 'LOCK.tmp-mine']
  for (const name of [...ours, ...theirs]) writeFileSync(join(location, name), 'x')
  await MerkleLevel.destroy(location)
  t.same(readdirSync(location).sort(), [...theirs].sort(), 'the user\'s files are left, the directory with them')
})

test('destroy: an empty directory left is removed; a missing location is not an error', async t => {
  const location = (await closedDatabase('destroy')).location
  await MerkleLevel.destroy(location)
  t.is(existsSync(location), false, 'the directory is gone')
  t.is(await rejectionCode(MerkleLevel.destroy(location)), 'resolved', 'destroying it again is no error')
})

test('destroy: through a symbolic link to a closed database removes its files, not the directory or the link', async t => {
  const location = (await closedDatabase('destroy')).location
  const link = `${location}-link`
  symlinkSync(location, link)
  writeFileSync(join(location, 'notes.txt'), 'x')
  await MerkleLevel.destroy(link)
  t.same(readdirSync(location), ['notes.txt'], 'the database files are gone')
  t.ok(lstatSync(link).isSymbolicLink(), 'the link is left')
})

test('destroy: a location that is a plain file gets a coded error', async t => {
  const location = tempLocation('destroy')
  writeFileSync(location, 'not a database')
  t.is(await rejectionCode(MerkleLevel.destroy(location)), 'LEVEL_IO_ERROR')
  t.is(existsSync(location), true, 'the file is left')
})

test('destroy: a name of ours that is not a regular file: LEVEL_CORRUPTION, nothing deleted', async t => {
  const makers: Array<[string, (path: string) => void]> = [
    ['a directory', path => mkdirSync(path)],
    ['a link', path => symlinkSync('/dev/zero', path)],
    ['a FIFO', path => execFileSync('mkfifo', [path])]
  ]
  for (const [what, make] of makers) {
    const location = (await closedDatabase('destroy')).location
    make(join(location, 'wal-00000000000000000099.log'))
    const before = readdirSync(location).sort()
    t.same(await probe('destroy', location), { code: 'LEVEL_CORRUPTION', cause: null }, `a segment name as ${what}: refused`)
    t.same(readdirSync(location).sort(), before, 'nothing deleted')
  }
})
