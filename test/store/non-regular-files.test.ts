/**
 * Files of the database that are not regular files (a log segment or a
 * snapshot as a link to /dev/zero, as a FIFO, as a directory, or as a link to
 * a file outside the directory): open, `info` and `repair --yes` refuse them at
 * once with LEVEL_CORRUPTION (exit 4) naming the file, and write nothing
 * through them. Every run is in a child process killed after a timeout, so
 * that a regression fails instead of hanging.
 */
import test from 'tape'
import { execFileSync, spawn } from 'node:child_process'
import { join } from 'node:path'
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tempLocation } from '../util/temp'
import { closedDatabase, openBytes } from '../util/db'
import { probe } from '../util/open-probe'
import { CLI } from '../cli/run-cli'
import { FRAME_HEADER_SIZE, SEGMENT_HEADER_SIZE } from '../../lib/wal/format'

interface Run { code: number | null, signal: string | null, output: string }

async function cli (args: string[]): Promise<Run> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000, killSignal: 'SIGKILL' })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, output }))
  })
}

const makers: Array<[string, (path: string) => void]> = [
  ['a link to /dev/zero', path => { rmSync(path); symlinkSync('/dev/zero', path) }],
  ['a FIFO', path => { rmSync(path); execFileSync('mkfifo', [path]) }],
  ['a directory', path => { rmSync(path); mkdirSync(path) }],
  ['a link to its own content moved elsewhere', path => { renameSync(path, `${path}-moved`); symlinkSync(`${path}-moved`, path) }]
]

test('non-regular files: open refuses a segment or a snapshot that is not a regular file', async t => {
  for (const which of ['segment', 'snapshot'] as const) {
    for (const [what, make] of makers) {
      const db = await closedDatabase('nonregular')
      make(join(db.location, db[which]))
      t.same(await probe('open', db.location), { code: 'LEVEL_DATABASE_NOT_OPEN', cause: 'LEVEL_CORRUPTION' }, `${which} as ${what}`)
      t.same(readdirSync(db.location).filter(n => n.startsWith('LOCK')), [], 'no LOCK or LOCK.tmp-* left')
    }
  }
})

test('non-regular files: info refuses them at once, naming the file', async t => {
  for (const name of ['segment', 'snapshot', 'LOCK'] as const) {
    for (const [what, make] of makers.slice(0, 2)) {
      const db = await closedDatabase('nonregular')
      const file = name === 'LOCK' ? 'LOCK' : db[name]
      if (name === 'LOCK') writeFileSync(join(db.location, 'LOCK'), '')
      make(join(db.location, file))
      const run = await cli(['info', db.location])
      t.same([run.code, run.signal], [4, null], `${name} as ${what}: exit 4 (damaged)`)
      t.ok(run.output.includes(file), 'the message names the file')
    }
  }
})

test('non-regular files: repair --yes never writes through a linked segment', async t => {
  const location = tempLocation('nonregular')
  const db = await openBytes(location)
  for (let i = 1; i <= 3; i++) await db.put(Uint8Array.of(i), Uint8Array.of(i))
  await db.close()
  const segment = readdirSync(location).find(n => n.endsWith('.log')) as string
  // Damage in the first record with valid records after it: repair would keep a copy aside
  // and cut the segment back before the damage, in place.
  const content = readFileSync(join(location, segment))
  content[SEGMENT_HEADER_SIZE + FRAME_HEADER_SIZE + 2] ^= 0xff
  const outside = `${location}-outside.log`
  writeFileSync(outside, content)
  rmSync(join(location, segment))
  symlinkSync(outside, join(location, segment))
  const run = await cli(['repair', '--yes', location])
  t.same([run.code, run.signal], [4, null], 'refused: exit 4 (damaged)')
  t.ok(run.output.includes(segment), 'the message names the segment')
  t.ok(readFileSync(outside).equals(content), 'the file outside is unchanged')
  t.ok(lstatSync(join(location, segment)).isSymbolicLink(), 'the link is left')
})
