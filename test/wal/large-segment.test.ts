/**
 * A log segment larger than Node reads in one piece (2 GiB) opens with
 * every batch: segments are read window by window (wal/reader.ts).
 */
import test from 'tape'
import { readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { tempLocation } from '../util/temp'
import { openBytes } from '../util/db'
import { toHex } from '../../lib/bytes'

const VALUE_BYTES = 100 * 1024 * 1024
const PUTS = 21

test(`large segment: ${PUTS} values of 100 MiB in one segment (over 2 GiB) open with every batch`, async t => {
  const location = tempLocation('large-segment')
  try {
    let db = await openBytes(location, { checkpointBytes: 0 })
    const key = (i: number): Uint8Array => Uint8Array.of(i % 2)
    // Two keys, overwritten in turn: the log grows past 2 GiB while the state stays two values.
    const value = new Uint8Array(VALUE_BYTES)
    for (let i = 0; i < PUTS; i++) {
      value.fill(i + 1)
      await db.put(key(i), value, { sync: false } as object)
    }
    const root = toHex(await db.root())
    await db.close()
    const segments = readdirSync(location).filter(name => name.startsWith('wal-'))
    t.is(segments.length, 1, 'one segment')
    const size = statSync(join(location, segments[0])).size
    t.ok(size > 2 ** 31, `the segment holds ${size} bytes`)

    db = await openBytes(location)
    t.is(db.recovery?.seq, PUTS, 'every batch replayed')
    t.is(toHex(await db.root()), root, 'same root')
    for (const i of [PUTS - 2, PUTS - 1]) {
      const got = await db.get(key(i)) as Uint8Array
      const sample = [0, 1, VALUE_BYTES >> 1, VALUE_BYTES - 1].map(at => got[at])
      t.same({ length: got.length, sample }, { length: VALUE_BYTES, sample: [i + 1, i + 1, i + 1, i + 1] }, `the last value of key ${i % 2}`)
    }
    await db.close()
  } finally {
    rmSync(location, { recursive: true, force: true })
  }
})
