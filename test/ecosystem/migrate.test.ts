/**
 * The two recipes of docs/CLI.md for moving a classic-level database into
 * merkle-level: copying in one script, and NDJSON piped into
 * `merkle-level import`. Keys and values must arrive byte for byte, sublevel
 * prefixes and encodings included.
 */
import test from 'tape'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { MerkleLevel } from '../../index'
import { tempLocation } from '../util/temp'
import { CLI } from '../cli/run-cli'

type Entry = [Uint8Array, Uint8Array]

async function classicSource (): Promise<{ location: string, entries: Entry[] }> {
  const location = tempLocation('classic')
  const db = new ClassicLevel<string, { n: number }>(location, { valueEncoding: 'json' })
  const users = db.sublevel<string, { name: string }>('users', { valueEncoding: 'json' })
  await db.batch(Array.from({ length: 2500 }, (_, i) => ({ type: 'put' as const, key: `item:${i}`, value: { n: i } })))
  await users.put('ada', { name: 'Ada' })
  await db.put('binary', 'x', { keyEncoding: 'utf8', valueEncoding: 'utf8' })
  await db.close()
  const raw = new ClassicLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
  const entries = await raw.iterator().all()
  await raw.close()
  return { location, entries }
}

// Entries as hex: classic-level's views are Buffers and merkle-level's plain Uint8Arrays, so a
// deep comparison of the arrays themselves would compare their types too, not just their bytes.
function hex (entries: Entry[]): string[][] {
  return entries.map(([key, value]) => [Buffer.from(key).toString('hex'), Buffer.from(value).toString('hex')])
}

async function entriesOf (location: string): Promise<Entry[]> {
  const db = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view', createIfMissing: false })
  const entries = await db.iterator().all()
  await db.close()
  return entries
}

test('migrate: classic-level to merkle-level in one script', async t => {
  const { location, entries } = await classicSource()
  const target = tempLocation('merkle')
  // The recipe, as documented.
  const from = new ClassicLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
  const to = new MerkleLevel<Uint8Array, Uint8Array>(target, { keyEncoding: 'view', valueEncoding: 'view', sync: false })
  let batch: Array<{ type: 'put', key: Uint8Array, value: Uint8Array }> = []
  for await (const [key, value] of from.iterator()) {
    batch.push({ type: 'put', key, value })
    if (batch.length === 1000) { await to.batch(batch); batch = [] }
  }
  if (batch.length > 0) await to.batch(batch)
  await from.close()
  await to.close()

  t.equal(entries.length, 2502, 'the source has every entry')
  t.deepEqual(hex(await entriesOf(target)), hex(entries), 'every entry arrived, byte for byte, in order')
  const db = new MerkleLevel(target)
  const users = db.sublevel<string, { name: string }>('users', { valueEncoding: 'json' })
  t.deepEqual(await users.get('ada'), { name: 'Ada' }, 'sublevel entries read back through the sublevel')
  t.deepEqual(await db.get('item:7', { valueEncoding: 'json' }), { n: 7 }, 'json values read back')
  await db.close()
})

test('migrate: classic-level to NDJSON to merkle-level import', async t => {
  const { location, entries } = await classicSource()
  const script = join(tempLocation('script'))
  writeFileSync(script, `
const { ClassicLevel } = require(${JSON.stringify(require.resolve('classic-level'))})
const db = new ClassicLevel(process.argv[2], { keyEncoding: 'buffer', valueEncoding: 'buffer' })
;(async () => {
  for await (const [key, value] of db.iterator()) {
    process.stdout.write(JSON.stringify({ key: key.toString('base64'), value: value.toString('base64') }) + '\\n')
  }
})()
`)
  const target = tempLocation('merkle')
  const code = await new Promise<number | null>((resolve, reject) => {
    const exporter = spawn(process.execPath, [script, location], { stdio: ['ignore', 'pipe', 'inherit'] })
    const importer = spawn(process.execPath, [CLI, 'import', target], { stdio: ['pipe', 'inherit', 'ignore'] })
    exporter.stdout.pipe(importer.stdin)
    exporter.on('error', reject)
    importer.on('error', reject)
    importer.on('close', resolve)
  })
  t.equal(code, 0, 'the import exits 0')
  t.deepEqual(hex(await entriesOf(target)), hex(entries), 'every entry arrived, byte for byte, in order')
})
