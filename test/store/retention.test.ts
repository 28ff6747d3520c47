/**
 * Retained log segments and recovery: a segment a crash left behind the
 * image (the checkpoint died before retiring it) is kept like a retired one
 * when retention is on; a torn tail is cut as always and the retained
 * segments stay as they are; a change feed reads only what committed, never
 * bytes after the last acknowledged frame.
 */
import test from 'tape'
import { appendFileSync, copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempLocation } from '../util/temp'
import { openBytes, rootOf } from '../util/db'
import type { ByteDb } from '../util/db'
import { SortedModel } from '../util/model'
import { toHex } from '../../lib/bytes'
import { segmentName } from '../../lib/store/file-names'

const SEGMENT_1 = segmentName(1)

// Puts keys from..to-1 one batch each; returns `seq root` lines, as the feed must show them.
async function putRange (db: ByteDb, model: SortedModel, from: number, to: number, lines: string[]): Promise<void> {
  for (let i = from; i < to; i++) {
    const key = Uint8Array.of(i)
    await db.put(key, key)
    model.put(key, key)
    lines.push(`${i + 1} ${rootOf(model.entries())}`)
  }
}

async function feedLines (db: ByteDb, since = 0): Promise<string[]> {
  const lines: string[] = []
  for await (const change of db.changes({ since })) lines.push(`${change.seq} ${change.root === null ? 'null' : toHex(change.root)}`)
  return lines
}

function retainedNames (location: string): string[] {
  return readdirSync(location).filter(n => n.includes('.retained-')).map(n => n.replace(/-\d+$/, '')).sort()
}

test('retention: a segment a crash left behind the image is kept for feeds at open, deleted without retention', async t => {
  for (const retain of [true, false]) {
    const location = tempLocation('retain-crash')
    const model = new SortedModel()
    const lines: string[] = []
    let db = await openBytes(location, { checkpointBytes: 0 })
    await putRange(db, model, 0, 3, lines)
    await db.close()
    const saved = join(location, '..', `saved-${retain ? 'a' : 'b'}-${Date.now()}`)
    copyFileSync(join(location, SEGMENT_1), saved)
    db = await openBytes(location, { checkpointBytes: 0 })
    await db.checkpoint()
    await putRange(db, model, 3, 5, lines)
    await db.close()
    // As if the checkpoint had died after publishing its image, before retiring segment 1.
    copyFileSync(saved, join(location, SEGMENT_1))
    db = await openBytes(location, { checkpointBytes: 0, ...(retain ? { retainLogBytes: 1 << 20 } : {}) })
    t.same(db.recovery?.filesRemoved, [SEGMENT_1], `${retain ? 'with' : 'without'} retention: reported removed from the live log`)
    t.same(db.recovery?.recordsReplayed, 2, 'only the batches after the image replayed')
    if (retain) {
      t.same(retainedNames(location), [`${SEGMENT_1}.retained`], 'kept under its retained name')
      t.same(await feedLines(db), lines, 'the feed from 0 reads it: every batch with its root')
    } else {
      t.same(retainedNames(location), [], 'deleted')
      t.same(await feedLines(db, 3), lines.slice(3), 'the feed from the image on')
    }
    await db.close()
  }
})

test('retention: a torn tail is cut as always; the retained segments stay as they were', async t => {
  const location = tempLocation('retain-torn')
  const model = new SortedModel()
  const lines: string[] = []
  const options = { checkpointBytes: 0, retainLogBytes: 1 << 20 }
  let db = await openBytes(location, options)
  await putRange(db, model, 0, 3, lines)
  await db.checkpoint()
  await putRange(db, model, 3, 6, lines)
  await db.close()
  const retained = readdirSync(location).find(n => n.includes('.retained-')) as string
  const before = readFileSync(join(location, retained))
  appendFileSync(join(location, segmentName(2)), Buffer.from([1, 2, 3, 4, 5, 6, 7]))
  db = await openBytes(location, options)
  t.same({ truncated: db.recovery?.bytesTruncated, removed: db.recovery?.filesRemoved, seq: db.recovery?.seq }, { truncated: 7, removed: [], seq: 6 }, 'the torn tail cut, nothing removed')
  t.ok(readFileSync(join(location, retained)).equals(before), 'the retained segment unchanged')
  t.same(await feedLines(db), lines, 'the feed from 0: every batch, none from the torn bytes')
  await db.close()
})

test('changes: bytes after the last committed frame of the live segment are never read as batches or damage', async t => {
  const location = tempLocation('retain-tail')
  const model = new SortedModel()
  const lines: string[] = []
  const db = await openBytes(location, { checkpointBytes: 0 })
  await putRange(db, model, 0, 4, lines)
  // What a frame being written looks like to a reader: bytes after the last frame.
  const path = join(location, segmentName(1))
  const bytes = readFileSync(path)
  let end = bytes.length
  while (end > 0 && bytes[end - 1] === 0) end--
  const junk = Buffer.alloc(64, 0xab)
  const patched = Buffer.concat([bytes.subarray(0, end), junk, bytes.subarray(Math.min(bytes.length, end + junk.length))])
  writeFileSync(path, patched)
  t.same(await feedLines(db), lines, 'the feed ends at the last committed batch')
  await putRange(db, model, 4, 6, lines)
  t.same(await feedLines(db, 3), lines.slice(3), 'and reads the batches written over those bytes')
  await db.close()
})

test('changes: a live feed never delivers a batch before its write resolved', async t => {
  const db = await openBytes(tempLocation('retain-acks'), { checkpointBytes: 8192, sync: false })
  const feed = db.changes({ live: true })
  let resolved = 0
  const early: number[] = []
  const reading = (async () => {
    for await (const change of feed) {
      if (change.seq > resolved) early.push(change.seq)
      if (change.seq === 500) break
    }
  })()
  const writes: Array<Promise<void>> = []
  for (let i = 0; i < 500; i++) {
    const key = Uint8Array.of(i >> 8, i & 0xff)
    writes.push(db.put(key, new Uint8Array(64)).then(() => { resolved++ }))
    if (i % 50 === 0) await Promise.all(writes)
  }
  await Promise.all(writes)
  await reading
  t.same(early, [], '500 batches in groups: each delivered after its write resolved')
  await db.close()
})
