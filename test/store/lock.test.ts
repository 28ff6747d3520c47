/**
 * The lock: a second open in this process or in another fails with
 * LEVEL_LOCKED as the cause, under the same name or another (a symbolic
 * link); a holder killed with SIGKILL, or an earlier process that had our
 * process id, does not lock the database forever; close releases the lock.
 */
import test from 'tape'
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { hostname } from 'node:os'
import { Worker, threadId } from 'node:worker_threads'
import { mkdirSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { MerkleLevel } from '../../index'
import { NodeFileSystem } from '../../lib/fs/node-file-system'
import { PROCESS_START, sameProcessStart } from '../../lib/fs/process-start'
import { tempLocation } from '../util/temp'
import { causeCode, closedDatabase, dump, openBytes } from '../util/db'
import { probe } from '../util/open-probe'

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

function lockFile (fields: Record<string, unknown>): string {
  return JSON.stringify({ host: hostname(), token: '00112233445566ff', ...fields }) + '\n'
}

function leftTemps (location: string): string[] {
  return readdirSync(location).filter(n => n.startsWith('LOCK.tmp-'))
}

test('lock: a symbolic link to a database open in this process is refused with LEVEL_LOCKED', async t => {
  const location = tempLocation('lock')
  const link = `${location}-link`
  const first = await openBytes(location)
  await first.put(Uint8Array.of(1), Uint8Array.of(1))
  symlinkSync(location, link)
  const second = new MerkleLevel(link)
  const err = await openError(second)
  t.is((err as { code?: string }).code, 'LEVEL_DATABASE_NOT_OPEN')
  t.is(causeCode(err), 'LEVEL_LOCKED', 'the same directory under another name is the same database')
  await first.put(Uint8Array.of(2), Uint8Array.of(2))
  await first.close()
  const reopened = await openBytes(link)
  t.same(await dump(reopened), ['01=01', '02=02'], 'every write of the first instance is there')
  await reopened.close()
})

test('lock: a LOCK naming this very process is never stale, whichever instance made it', async t => {
  const location = (await closedDatabase('lock')).location
  // Another file-system instance on the same disk has a registry of its own: only the LOCK tells.
  const first = new MerkleLevel(location)
  await first.open()
  const other = new MerkleLevel(location, { fs: new NodeFileSystem() })
  t.is(causeCode(await openError(other)), 'LEVEL_LOCKED', 'refused through another file-system instance')
  await first.close()
  for (const thread of [threadId, threadId + 1]) {
    writeFileSync(join(location, 'LOCK'), lockFile({ pid: process.pid, start: PROCESS_START, thread }))
    const db = new MerkleLevel(location)
    t.is(causeCode(await openError(db)), 'LEVEL_LOCKED', `refused: LOCK of this process (thread ${thread === threadId ? 'ours' : 'another'})`)
  }
})

test('lock: a LOCK left by an earlier process with our process id is taken over', async t => {
  const starts = ['linux:00000000-0000-0000-0000-000000000000:1', 'clock:1.000', 'simulated:00']
  for (const start of starts.filter(s => s !== PROCESS_START)) {
    const location = (await closedDatabase('lock')).location
    // Another thread id too: in a restarted process, thread ids begin again.
    writeFileSync(join(location, 'LOCK'), lockFile({ pid: process.pid, start, thread: threadId + 1 }))
    const db = new MerkleLevel(location)
    await db.open()
    t.is(db.status, 'open', `taken over (start ${start.slice(0, 8)})`)
    t.is(await db.get('k'), 'v')
    await db.close()
  }
})

test('lock: a LOCK of the earlier release (no start) naming our process id', async t => {
  const location = (await closedDatabase('lock')).location
  writeFileSync(join(location, 'LOCK'), lockFile({ pid: process.pid, thread: threadId }))
  const db = new MerkleLevel(location)
  await db.open()
  t.is(db.status, 'open', 'our thread: from an earlier process, taken over')
  await db.close()
  writeFileSync(join(location, 'LOCK'), lockFile({ pid: process.pid, thread: threadId + 1 }))
  t.is(causeCode(await openError(db)), 'LEVEL_LOCKED', 'another thread: it may hold it')
})

test('lock: a LOCK naming no usable process id is taken over', async t => {
  for (const pid of [0, -1, -process.pid, 1.5, '1', null, 2 ** 53]) {
    const location = (await closedDatabase('lock')).location
    writeFileSync(join(location, 'LOCK'), lockFile({ pid, thread: 0 }))
    const db = new MerkleLevel(location)
    const err = await openError(db)
    t.is(err, null, `pid ${JSON.stringify(pid)}: taken over`)
    await db.close()
    t.same(leftTemps(location), [], 'no LOCK.tmp-* left')
  }
})

test('lock: a LOCK larger than any lock the database writes is not read whole, and is taken over', async t => {
  const location = (await closedDatabase('lock')).location
  // Sparse: no disk space. Read whole, it would not even fit a Buffer (over 2 GiB).
  writeFileSync(join(location, 'LOCK'), lockFile({ pid: 999999999 }))
  truncateSync(join(location, 'LOCK'), 3 * 2 ** 30)
  const db = new MerkleLevel(location)
  t.is(await openError(db), null, 'opened')
  t.is(await db.get('k'), 'v')
  await db.close()
  t.same(readdirSync(location).filter(n => n.startsWith('LOCK')), [], 'the lock is released; no LOCK.tmp-* left')
})

test('lock: a LOCK that is not a regular file is refused at once with LEVEL_CORRUPTION', async t => {
  const makers: Array<[string, (path: string) => void]> = [
    ['a link to /dev/zero', path => symlinkSync('/dev/zero', path)],
    ['a FIFO', path => execFileSync('mkfifo', [path])],
    ['a directory', path => mkdirSync(path)],
    ['a link to a valid LOCK elsewhere', path => {
      writeFileSync(`${path}-elsewhere`, lockFile({ pid: 999999999 }))
      symlinkSync(`${path}-elsewhere`, path)
    }]
  ]
  for (const [what, make] of makers) {
    const location = (await closedDatabase('lock')).location
    make(join(location, 'LOCK'))
    t.same(await probe('open', location), { code: 'LEVEL_DATABASE_NOT_OPEN', cause: 'LEVEL_CORRUPTION' }, `LOCK as ${what}: open refused`)
    t.same(leftTemps(location), [], 'no LOCK.tmp-* left')
  }
})

test('lock: threads of one process agree on its start; a database open in another thread is refused', async t => {
  const location = (await closedDatabase('lock')).location
  const worker = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads')
    const { MerkleLevel } = require(workerData.index)
    const { PROCESS_START } = require(workerData.start)
    const db = new MerkleLevel(workerData.location)
    parentPort.once('message', () => db.close().then(() => parentPort.postMessage('closed')))
    db.open().then(() => parentPort.postMessage(PROCESS_START), err => parentPort.postMessage('error ' + String(err.cause?.code)))
  `, { eval: true, workerData: { index: join(__dirname, '..', '..', 'index'), start: join(__dirname, '..', '..', 'lib', 'fs', 'process-start'), location } })
  const message = async (): Promise<string> => await new Promise(resolve => worker.once('message', resolve))
  const theirs = await message()
  t.ok(sameProcessStart(theirs, PROCESS_START), `the worker's start (${theirs}) is this thread's (${PROCESS_START})`)
  const db = new MerkleLevel(location)
  t.is(causeCode(await openError(db)), 'LEVEL_LOCKED', 'refused while the worker holds it')
  worker.postMessage('close')
  t.is(await message(), 'closed')
  await worker.terminate()
  t.is(await openError(db), null, 'opened once the worker closed it')
  await db.close()
})
