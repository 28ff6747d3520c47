/**
 * Close, then open, a database of N entries. merkle-level: from a fresh
 * checkpoint (open = read the snapshot, rebuild the tree, verify the root)
 * and with all N entries in the WAL (checkpoints off, so open replays
 * them), plus the time it takes just to read the snapshot file, the floor
 * of the first. classic-level: open after close, for comparison (LevelDB
 * reads its files lazily). Files were just written, so they are in the
 * page cache in every case.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Figures } from '../catalog'
import { randomEntries } from '../data'
import type { Entries } from '../data'
import { openMerkle, openStore } from '../stores'
import type { StoreName } from '../stores'
import { median, now } from '../timing'
import { collectGarbage, load, storeOf } from './context'
import type { Suite } from './context'

/** How long an open took: on the clock around it, and as recovery reports it. */
export interface Reopened {
  wallMs: number
  recoveryMs: number
}

/** Opens the closed database in `location`, checking that recovery found `expected` entries the way it should have. */
export async function reopenMerkle (location: string, expected: number, from: 'snapshot' | 'log'): Promise<Reopened> {
  await collectGarbage()
  const started = now()
  const { merkle } = await openMerkle(location, { checkpointBytes: 0 })
  const wallMs = now() - started
  const report = merkle.recovery
  await merkle.close()
  if (report === null || report.entries !== expected) throw new Error(`Reopened with ${report?.entries ?? 'no'} entries, expected ${expected}`)
  // Each case must measure what it says: a snapshot and (almost) no log, or the whole log.
  const replayed = report.recordsReplayed > 0
  if ((from === 'log') !== replayed || (from === 'log') === (report.snapshot !== null)) {
    throw new Error(`Open from the ${from} replayed ${report.recordsReplayed} records with snapshot ${report.snapshot?.file ?? 'none'}`)
  }
  return { wallMs, recoveryMs: report.durationMs }
}

async function timeReadFile (path: string): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < 3; i++) {
    const started = now()
    await readFile(path)
    times.push(now() - started)
  }
  return median(times)
}

async function merkleFigures (dir: string, entries: Entries): Promise<Figures> {
  const count = entries.keys.length
  const fromSnapshot = join(dir, 'checkpointed')
  const { db, merkle } = await openMerkle(fromSnapshot, { checkpointBytes: 0 })
  await load(db, entries)
  const result = await merkle.checkpoint()
  await db.close()
  if (result.file === null) throw new Error('The checkpoint wrote no snapshot')
  const readSnapshotMs = await timeReadFile(join(fromSnapshot, result.file))
  const checkpointed = await reopenMerkle(fromSnapshot, count, 'snapshot')

  const fromLog = join(dir, 'logged')
  const logged = await openMerkle(fromLog, { checkpointBytes: 0 })
  await load(logged.db, entries)
  await logged.db.close()
  const replayed = await reopenMerkle(fromLog, count, 'log')

  return {
    'open-ms': checkpointed.wallMs,
    'open-recovery-ms': checkpointed.recoveryMs,
    'read-snapshot-ms': readSnapshotMs,
    'open-wal-ms': replayed.wallMs,
    'open-wal-recovery-ms': replayed.recoveryMs
  }
}

async function otherFigures (store: StoreName, dir: string, entries: Entries): Promise<Figures> {
  const location = join(dir, 'db')
  const first = await openStore(store, location)
  await load(first.db, entries)
  await first.db.close()
  await collectGarbage()
  const started = now()
  const again = await openStore(store, location)
  const wallMs = now() - started
  await again.db.close()
  return { 'open-ms': wallMs }
}

/** Open figures of a durable store. */
export const open: Suite = async context => {
  const store = storeOf(context.subject)
  const entries = randomEntries(context.plan.entries)
  return store === 'merkle-level'
    ? await merkleFigures(context.dir, entries)
    : await otherFigures(store, context.dir, entries)
}
