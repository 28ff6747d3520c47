/**
 * Recovery reading version 1 snapshots in windows (snapshot-load.ts), made
 * to take that path with small files: the same entries and root as reading
 * them whole, the same verdict on a damaged snapshot, a failed read refused
 * as one (not taken for damage); and a segment copied aside by a
 * point-in-time recovery is copied a chunk at a time, not read whole.
 * Opening migrates a version 1 snapshot (rewrites it as a version 2 image
 * under the same name), so every open here starts from a fresh copy.
 */
import test from 'tape'
import { join } from 'node:path'
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tempLocation } from '../util/temp'
import { causeCode, dump, openBytes } from '../util/db'
import type { ByteDb } from '../util/db'
import { toHex } from '../../lib/bytes'
import { nodeFileSystem } from '../../lib/fs/node-file-system'
import type { FileHandle, FileSystem } from '../../lib/fs/file-system'
import { checkIntegrity } from '../../lib/store/integrity'
import { planRecovery } from '../../lib/store/recovery'
import { snapshotReading } from '../../lib/store/snapshot-load'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { readSegment } from '../../lib/wal/reader'
import { linkedCopy } from '../util/open-copy'
import { writeVersion1Snapshot } from '../util/snapshot-versions'

const WHOLE = { ...snapshotReading }

// Runs `body` with snapshots of any size read in windows of `windowSize` bytes.
async function inWindows<T> (windowSize: number, body: () => Promise<T>): Promise<T> {
  snapshotReading.wholeFileLimit = 0
  snapshotReading.windowSize = windowSize
  try {
    return await body()
  } finally {
    Object.assign(snapshotReading, WHOLE)
  }
}

// A database of the first release, a version 1 snapshot after one batch: small entries and
// some longer than the windows used below. Only fresh copies of it are opened (see the header).
async function makeDb (): Promise<{ location: string, snapshot: string }> {
  const location = tempLocation('windows')
  const entries: Array<[Uint8Array, Uint8Array]> = []
  for (let i = 0; i < 300; i++) {
    const value = new Uint8Array(i % 50 === 0 ? 5000 + i : i % 37).fill(i & 0xff)
    entries.push([Uint8Array.of(i >> 8, i & 0xff, 7), value])
  }
  const snapshot = await writeVersion1Snapshot(location, 1, entries)
  if (versionOf(join(location, snapshot)) !== 1) throw new Error('not a version 1 snapshot')
  return { location, snapshot }
}

// A copy of `location` to open: opening migrates its version 1 snapshot.
function fresh (location: string): string {
  const copy = tempLocation('windows-copy')
  cpSync(location, copy, { recursive: true })
  return copy
}

// The format version of a snapshot file (the 32-bit little-endian word after the magic).
function versionOf (path: string): number {
  return readFileSync(path).readUInt32LE(8)
}

async function opened (location: string): Promise<{ root: string, entries: string[], db: ByteDb }> {
  const db = await openBytes(location)
  return { root: toHex(await db.root()), entries: await dump(db), db }
}

test('snapshot windows: the same entries and root as a snapshot read whole', async t => {
  const { location, snapshot } = await makeDb()
  const wholeCopy = fresh(location)
  const whole = await opened(wholeCopy)
  t.is(whole.db.recovery?.snapshot?.file, snapshot, 'read whole from the snapshot')
  t.is(whole.entries.length, 300)
  await whole.db.close()
  t.is(versionOf(join(wholeCopy, snapshot)), 2, 'opening migrated the snapshot to version 2')
  for (const windowSize of [16, 100, 4096, 1 << 20]) {
    const copy = fresh(location)
    const windowed = await inWindows(windowSize, async () => await opened(copy))
    t.is(windowed.db.recovery?.snapshot?.file, snapshot, `window ${windowSize}: loaded from the snapshot`)
    t.is(windowed.db.recovery?.recordsReplayed, 0, `window ${windowSize}: nothing replayed`)
    t.is(windowed.root, whole.root, `window ${windowSize}: the same root`)
    t.same(windowed.entries, whole.entries, `window ${windowSize}: the same entries`)
    const report = await windowed.db.check()
    t.same(report.problems, [], `window ${windowSize}: every cached hash right`)
    await windowed.db.close()
  }
  // What `merkle-level verify` runs, through a read-only file system: on the version 1 snapshot.
  const verified = await inWindows(64, async () => await checkIntegrity(nodeFileSystem, location))
  t.is(versionOf(join(location, snapshot)), 1, 'the offline check read the version 1 snapshot')
  t.is(verified.ok, true, 'the offline check finds nothing wrong')
  t.is(verified.state?.root, whole.root, 'and the same root')
})

test('snapshot windows: a damaged snapshot gets the same verdict as when read whole', async t => {
  const { location, snapshot } = await makeDb()
  const path = join(location, snapshot)
  const clean = readFileSync(path)
  const damages: Array<[string, Buffer]> = [
    ['flipped header byte', flip(clean, 80)],
    ['flipped body byte', flip(clean, 700)],
    ['flipped byte of a long value', flip(clean, clean.length - 2000)],
    ['flipped footer byte', flip(clean, clean.length - 5)],
    ['truncated body', clean.subarray(0, 900)],
    ['truncated footer', clean.subarray(0, clean.length - 1)]
  ]
  for (const [name, bytes] of damages) {
    writeFileSync(path, bytes)
    const whole = await planRecovery(nodeFileSystem, location, 'pointInTime', DEFAULT_PARAMS)
    t.is(whole.snapshotsSkipped.length, 1, `${name}: skipped when read whole`)
    const windowed = await inWindows(64, async () => await planRecovery(nodeFileSystem, location, 'pointInTime', DEFAULT_PARAMS))
    t.same(windowed.snapshotsSkipped, whole.snapshotsSkipped, `${name}: the same problem in windows (${whole.snapshotsSkipped[0]?.problem})`)
    const code = await inWindows(64, async () => await openBytes(location).then(async db => { await db.close(); return 'opened' }, causeCode))
    t.is(code, 'LEVEL_CORRUPTION', `${name}: open() refuses it`)
  }
  writeFileSync(path, clean)
})

test('snapshot windows: a segment set aside by a point-in-time recovery is copied byte for byte, never read whole', async t => {
  const open = tempLocation('copy-open')
  const db = await openBytes(open, { checkpointBytes: 0 })
  // More than one 8 MiB chunk of log; the last put syncs them all.
  for (let i = 0; i < 12; i++) await db.put(Uint8Array.of(i), new Uint8Array(1_000_000).fill(i), { sync: i === 11 } as object)
  // A clean close would write this much log as an image and retire it: the log is taken as a
  // crash would leave it.
  const location = linkedCopy(open, 'copy')
  await db.close()
  const name = readdirSync(location).find(n => n.endsWith('.log')) as string
  const segment = readFileSync(join(location, name))
  const read = readSegment(segment)
  if (!read.ok) throw new Error('unreadable segment')
  const damaged = Buffer.from(segment)
  damaged[read.frames[5].offset + 100] ^= 0x01
  writeFileSync(join(location, name), damaged)

  const wholeReads: string[] = []
  const counting: FileSystem = {
    ...passThrough(),
    readFile: async path => { wholeReads.push(path); return await nodeFileSystem.readFile(path) }
  }
  const recovered = await openBytes(location, { recovery: 'pointInTime', fs: counting } as object)
  t.is((await dump(recovered)).length, 5, 'the five batches before the damage')
  const aside = recovered.recovery?.filesSetAside ?? []
  await recovered.close()
  t.is(aside.length, 1, 'one copy set aside')
  t.same(readFileSync(join(location, aside[0])), damaged, 'the copy holds the damaged segment as it was')
  t.same(wholeReads.filter(p => p.endsWith(name)).length, 0, 'the segment was never read whole: planning reads it by windows, and so does the copy')
})

test('snapshot windows: a failed read is an I/O error, never damage: the snapshot is not set aside', async t => {
  const { location: original } = await makeDb()
  const before = readdirSync(original).sort()
  let outcomes = 0
  for (let nth = 1; ; nth++) {
    // Each try on the version 1 snapshot: a successful open migrates it.
    const location = fresh(original)
    let reads = 0
    const failing: FileSystem = {
      ...passThrough(),
      open: async (path, mode) => {
        const handle = await nodeFileSystem.open(path, mode)
        // Reads of the version 1 snapshot only, not of the image the migration writes under its name.
        if (!path.endsWith('.mls') || mode !== 'read' || versionOf(path) !== 1) return handle
        return {
          ...passThroughHandle(handle),
          read: async (buffer, position) => {
            if (++reads === nth) throw Object.assign(new Error('i/o error'), { code: 'EIO' })
            return await handle.read(buffer, position)
          },
          readSync: (buffer, position) => {
            if (++reads === nth) throw Object.assign(new Error('i/o error'), { code: 'EIO' })
            return handle.readSync(buffer, position)
          }
        }
      }
    }
    const code = await inWindows(1024, async () => await openBytes(location, { fs: failing } as object).then(async db => { await db.close(); return 'opened' }, causeCode))
    if (code === 'opened') {
      t.ok(nth > 3, `opened once no read failed (${nth - 1} reads)`)
      break
    }
    outcomes++
    if (code !== 'LEVEL_IO_ERROR') t.fail(`read ${nth} failing: ${String(code)}`)
    t.same(readdirSync(location).sort(), before, `read ${nth} failing: nothing changed`)
  }
  t.ok(outcomes > 3, `${outcomes} failed reads each refused with LEVEL_IO_ERROR`)
})

function passThrough (): FileSystem {
  const fs = nodeFileSystem
  return {
    open: async (path, mode) => await fs.open(path, mode),
    readFile: async path => await fs.readFile(path),
    readdir: async path => await fs.readdir(path),
    mkdir: async path => await fs.mkdir(path),
    stat: async path => await fs.stat(path),
    lstat: async path => await fs.lstat(path),
    processStart: () => fs.processStart(),
    rename: async (from, to) => await fs.rename(from, to),
    link: async (from, to) => await fs.link(from, to),
    unlink: async path => await fs.unlink(path),
    rmdir: async path => await fs.rmdir(path),
    syncDirectory: async path => await fs.syncDirectory(path)
  }
}

function passThroughHandle (handle: FileHandle): FileHandle {
  return {
    read: async (buffer, position) => await handle.read(buffer, position),
    readSync: (buffer, position) => handle.readSync(buffer, position),
    write: async (buffer, position) => await handle.write(buffer, position),
    sync: async () => await handle.sync(),
    truncate: async size => await handle.truncate(size),
    size: async () => await handle.size(),
    close: async () => await handle.close()
  }
}

function flip (bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes)
  copy[at] ^= 0x10
  return copy
}
