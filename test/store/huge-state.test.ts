/**
 * Files over 2 GiB on a real disk: a state of three 720 MB values is
 * checkpointed into a 2.16 GB snapshot, and after a reopen every value is
 * there byte for byte under the same root (the snapshot is read in windows:
 * snapshot-load.ts). A whole-file read works past 2 GiB, and a file no
 * buffer can hold is refused with a coded error naming it.
 */
import test from 'tape'
import { join } from 'node:path'
import { mkdirSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tempLocation } from '../util/temp'
import { openBytes } from '../util/db'
import { toHex } from '../../lib/bytes'
import { MAX_WHOLE_FILE } from '../../lib/fs/file-system'
import { nodeFileSystem } from '../../lib/fs/node-file-system'
import { readFileShared } from '../../lib/fs/read-shared'

const VALUE_BYTES = 720_000_000
const GiB = 2 ** 30

const keyOf = (i: number): Uint8Array => Uint8Array.of(0x6b, i)

// Value i: a 251-byte pattern that depends on i, repeated (fast to make, and a misplaced chunk shows).
function valueOf (i: number): Buffer {
  const pattern = Buffer.from(Array.from({ length: 251 }, (_, j) => (j * 31 + i * 101 + 7) & 0xff))
  return Buffer.allocUnsafeSlow(VALUE_BYTES).fill(pattern)
}

test('huge state: three values of 720 MB, checkpointed into a 2.16 GB snapshot, reopen byte for byte', async t => {
  const location = tempLocation('huge')
  t.teardown(() => rmSync(location, { recursive: true, force: true }))
  let db = await openBytes(location, { checkpointBytes: 0 })
  for (let i = 0; i < 3; i++) await db.put(keyOf(i), valueOf(i), { sync: false } as object)
  const root = toHex(await db.root())
  const checkpoint = await db.checkpoint()
  await db.close()
  const file = checkpoint.file as string
  t.ok(statSync(join(location, file)).size > 2 * GiB, `the snapshot is over 2 GiB (${statSync(join(location, file)).size} bytes)`)
  t.same(readdirSync(location).filter(n => n.endsWith('.log')).map(n => statSync(join(location, n)).size < 1024 * 1024), [true], 'the log it covers is retired')

  db = await openBytes(location, { checkpointBytes: 0 })
  try {
    t.is(db.recovery?.snapshot?.file, file, 'loaded from the snapshot')
    t.is(db.recovery?.recordsReplayed, 0, 'nothing replayed')
    t.is(db.recovery?.entries, 3)
    t.is(toHex(await db.root()), root, 'the same root as before the close')
    for (let i = 0; i < 3; i++) {
      const value = await db.get(keyOf(i)) as Uint8Array
      t.ok(value !== undefined && Buffer.from(value.buffer, value.byteOffset, value.length).equals(valueOf(i)), `value ${i} byte for byte`)
    }
  } finally {
    await db.close()
  }
})

test('huge state: a whole-file read past 2 GiB, and refusals of files no buffer can hold', async t => {
  const dir = tempLocation('sparse')
  mkdirSync(dir, { recursive: true })
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // Sparse files: only their first bytes are written.
  const large = join(dir, 'large')
  const size = 2 * GiB + 4096
  writeFileSync(large, 'start')
  truncateSync(large, size)
  const bytes = await nodeFileSystem.readFile(large)
  t.is(bytes.length, size, 'read whole')
  t.is(Buffer.from(bytes.subarray(0, 5)).toString(), 'start', 'first bytes right')

  const huge = join(dir, 'huge')
  writeFileSync(huge, '')
  truncateSync(huge, MAX_WHOLE_FILE + 1)
  for (const [name, read] of [
    ['readFile', async () => await nodeFileSystem.readFile(huge)],
    ['readFileShared', async () => await readFileShared(nodeFileSystem, huge, 8, () => true)]
  ] as const) {
    try {
      await read()
      t.fail(`${name}: resolved`)
    } catch (err) {
      t.is((err as { code?: string }).code, 'LEVEL_IO_ERROR', `${name}: LEVEL_IO_ERROR`)
      t.ok((err as Error).message.includes(huge), `${name}: names the file`)
    }
  }
})
