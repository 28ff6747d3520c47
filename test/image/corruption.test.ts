/**
 * Bit flips and truncation in tree images: for every byte of the records of
 * a small base and of a delta after it (and every 64th byte of their header
 * blocks), a flipped byte either makes open() refuse with LEVEL_CORRUPTION,
 * or a read that reaches the damaged record reject with LEVEL_CORRUPTION, or
 * changes nothing anyone can see: never another entry, value or root.
 * Truncating either file at any record boundary region is refused the same way.
 */
import test from 'tape'
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempLocation } from '../util/temp'
import { dump, openBytes } from '../util/db'
import { toHex } from '../../lib/bytes'
import { IMAGE_HEADER_SIZE } from '../../lib/image/format'

// A database whose state is a base of 24 entries and a delta of a few changes.
async function makeDb (): Promise<{ location: string, entries: string[], root: string, files: string[] }> {
  const location = tempLocation('image-damage')
  const db = await openBytes(location, { checkpointBytes: 0 })
  const ops = []
  for (let i = 0; i < 24; i++) ops.push({ type: 'put' as const, key: Uint8Array.of(i, 1), value: new Uint8Array(i % 5 === 0 ? 40 : 3).fill(i) })
  await db.batch(ops)
  await db.checkpoint()
  await db.put(Uint8Array.of(5, 1), Uint8Array.of(9, 9))
  await db.del(Uint8Array.of(7, 1))
  await db.put(Uint8Array.of(30), Uint8Array.of(1))
  const result = await db.checkpoint()
  const entries = await dump(db)
  const root = toHex(await db.root())
  await db.close()
  if (result.kind !== 'delta') throw new Error('the second checkpoint should write a delta')
  const files = readdirSync(location).filter(name => name.endsWith('.mls') || name.endsWith('.mld')).sort()
  return { location, entries, root, files }
}

type Outcome = 'refused at open' | 'refused on read' | 'unchanged' | string

// Opens a damaged copy and reads everything: what came of it.
async function outcome (location: string): Promise<Outcome> {
  let db
  try {
    db = await openBytes(location, { checkpointBytes: 0 })
  } catch (err) {
    const code = (err as { code?: string, cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code
    return code === 'LEVEL_CORRUPTION' ? 'refused at open' : `open failed with ${String(code)}`
  }
  try {
    const entries = await dump(db)
    const root = toHex(await db.root())
    return JSON.stringify({ entries, root })
  } catch (err) {
    const code = (err as { code?: string }).code
    return code === 'LEVEL_CORRUPTION' ? 'refused on read' : `read failed with ${String(code)}`
  } finally {
    await db.close().catch(() => {})
  }
}

test('image damage: every flipped byte is refused or harmless, never a wrong answer', async t => {
  const clean = await makeDb()
  const expected = JSON.stringify({ entries: clean.entries, root: clean.root })
  const counts = new Map<string, number>()
  const wrong: string[] = []
  for (const file of clean.files) {
    const bytes = readFileSync(join(clean.location, file))
    for (let at = 0; at < bytes.length; at += at < IMAGE_HEADER_SIZE ? 64 : 1) {
      const copy = tempLocation('flip')
      cpSync(clean.location, copy, { recursive: true })
      const damaged = Uint8Array.from(bytes)
      damaged[at] ^= 0x10
      writeFileSync(join(copy, file), damaged)
      let got = await outcome(copy)
      if (got === expected) got = 'unchanged'
      counts.set(got, (counts.get(got) ?? 0) + 1)
      if (got !== 'refused at open' && got !== 'refused on read' && got !== 'unchanged' && wrong.length < 5) wrong.push(`${file} byte ${at}: ${got.slice(0, 200)}`)
    }
  }
  t.same(wrong, [], 'no flip gave another state')
  t.ok((counts.get('refused on read') ?? 0) > 0 && (counts.get('refused at open') ?? 0) > 0, `outcomes: ${JSON.stringify([...counts])}`)
  t.end()
})

test('image damage: a truncated image is refused, at open or on the read that needs the lost records', async t => {
  const clean = await makeDb()
  const expected = JSON.stringify({ entries: clean.entries, root: clean.root })
  const wrong: string[] = []
  let cases = 0
  for (const file of clean.files) {
    const bytes = readFileSync(join(clean.location, file))
    for (let length = 0; length < bytes.length; length += length < IMAGE_HEADER_SIZE ? 512 : 7) {
      const copy = tempLocation('cut')
      cpSync(clean.location, copy, { recursive: true })
      writeFileSync(join(copy, file), bytes.subarray(0, length))
      const got = await outcome(copy)
      cases++
      if (got !== 'refused at open' && got !== 'refused on read' && wrong.length < 5) wrong.push(`${file} cut to ${length}: ${got === expected ? 'opened as if whole' : got.slice(0, 200)}`)
    }
  }
  t.same(wrong, [], `${cases} truncations, each refused with LEVEL_CORRUPTION`)
  t.end()
})
