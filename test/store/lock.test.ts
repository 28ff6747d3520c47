/**
 * The lock: a second open in this process or in another fails with
 * LEVEL_LOCKED as the cause; a holder killed with SIGKILL does not lock the
 * database forever; close releases the lock.
 */
import test from 'tape'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { MerkleLevel } from '../../index'
import { tempLocation } from '../util/temp'
import { causeCode } from '../util/db'

const holder = join(__dirname, '..', 'util', 'lock-holder.js')

function start (location: string): { child: ChildProcess, line: Promise<string> } {
  const child = spawn(process.execPath, [holder, location], { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = new Promise<string>(resolve => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('\n')) resolve(out.trim())
    })
  })
  return { child, line }
}

function exited (child: ChildProcess): Promise<void> {
  return new Promise(resolve => child.once('exit', () => resolve()))
}

async function openError (db: MerkleLevel): Promise<unknown> {
  try {
    await db.open()
    return null
  } catch (err) {
    return err
  }
}

test('lock: a second instance in the same process is refused until the first closes', async t => {
  const location = tempLocation('lock')
  const first = new MerkleLevel(location)
  await first.open()
  const second = new MerkleLevel(location)
  const err = await openError(second)
  t.is((err as { code?: string }).code, 'LEVEL_DATABASE_NOT_OPEN')
  t.is(causeCode(err), 'LEVEL_LOCKED')
  await first.close()
  await second.open()
  t.is(second.status, 'open')
  await second.close()
})

test('lock: another process holding the database makes open fail with LEVEL_LOCKED; SIGKILL frees it', async t => {
  const location = tempLocation('lock')
  const { child, line } = start(location)
  t.is(await line, 'open', 'child opened the database')
  const db = new MerkleLevel(location)
  t.is(causeCode(await openError(db)), 'LEVEL_LOCKED', 'refused while the child lives')
  const gone = exited(child)
  child.kill('SIGKILL')
  await gone
  await db.open()
  t.is(db.status, 'open', 'opened after the holder was killed')
  const other = start(location)
  t.is(await other.line, 'error LEVEL_LOCKED', 'and now the other process is refused')
  await exited(other.child)
  await db.close()
})

test('lock: a lock file left by a dead process or a damaged lock file does not block', async t => {
  for (const content of ['{"pid":999999999,"thread":0,"host":"' + require('node:os').hostname() + '","token":"x"}\n', '', 'garbage']) {
    const location = tempLocation('lock')
    const db = new MerkleLevel(location)
    await db.open()
    await db.close()
    writeFileSync(join(location, 'LOCK'), content)
    await db.open()
    t.is(db.status, 'open', `stale lock ${JSON.stringify(content.slice(0, 12))} taken over`)
    await db.close()
  }
})
