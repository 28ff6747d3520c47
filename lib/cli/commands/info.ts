/**
 * `merkle-level info <dir>`: what is in a database, read without taking the
 * lock or changing anything.
 */
import type { Command } from 'commander'
import { toHex } from '../../bytes'
import { hasCode } from '../../errors'
import { readLockState } from '../../store/lock'
import { readCheckpointFailure } from '../../store/checkpoint-status'
import type { RecordedCheckpointFailure } from '../../store/checkpoint-status'
import { nodeFileSystem } from '../../fs/node-file-system'
import type { DatabaseView } from '../../store/inspect'
import { describeLock, viewDatabase } from '../database'
import { ExitCode } from '../exit-codes'
import { formatBytes } from '../../format-bytes'
import { outputTo, table } from '../output'
import type { Output } from '../output'

/** Registers the command. */
export function registerInfo (program: Command, done: (code: number) => void): void {
  program.command('info')
    .description('show entries, bytes, sequence number, root, last checkpoint, WAL size and lock holder')
    .argument('<dir>', 'database directory')
    .option('--json', 'print one JSON object')
    .action(async (dir: string, options: { json?: boolean }) => done(await info(dir, options.json === true, outputTo())))
}

async function info (dir: string, json: boolean, out: Output): Promise<number> {
  let view: DatabaseView
  try {
    view = await viewDatabase(dir)
  } catch (err) {
    if (!hasCode(err, 'LEVEL_CORRUPTION')) throw err
    // Damaged: say so, with what can be said without recovering.
    const lock = describeLock(await readLockState(nodeFileSystem, dir))
    if (json) await out.json({ location: dir, damaged: (err as Error).message, lock })
    else for (const l of table([['location', dir], ['state', `damaged: ${(err as Error).message}`], ['lock', lock], ['next', 'run `merkle-level verify` for details, `merkle-level repair` to recover']])) await out.line(l)
    return ExitCode.damaged
  }
  const facts = summarize(view, await view.plan.tree.rootAsync(), await readCheckpointFailure(nodeFileSystem, dir))
  if (json) {
    await out.json(facts)
  } else {
    for (const l of table(humanRows(facts))) await out.line(l)
  }
  return ExitCode.ok
}

interface InfoFacts {
  location: string
  entries: number
  dataBytes: number
  seq: number
  root: string
  snapshot: { file: string, seq: number, bytes: number } | null
  /** The image files the state is read from, base first: empty when it came from a version 1 snapshot or the log alone. */
  images: Array<{ file: string, kind: 'base' | 'delta', seq: number, entries: number, bytes: number }>
  wal: { segments: number, bytes: number, recordsAfterSnapshot: number, tornTailBytes: number }
  /** Segments a checkpoint retired and kept for change feeds (options retainLogBytes, retainLogMs); open() never reads them. */
  retainedLog: { segments: number, bytes: number }
  diskBytes: number
  lock: string
  lockHolder: { pid: number, host: string, live: boolean } | null
  /** The last checkpoint that failed, as the database recorded it (CHECKPOINT-FAILED), or null. */
  checkpointFailed: RecordedCheckpointFailure | null
}

function summarize (view: DatabaseView, root: Uint8Array, checkpointFailed: RecordedCheckpointFailure | null): InfoFacts {
  const { plan, files, lock } = view
  let dataBytes = 0
  const cursor = plan.tree.cursor()
  cursor.first()
  for (let node = cursor.current; node !== null; cursor.advance(), node = cursor.current) dataBytes += node.key.length + node.value.length
  const segments = files.filter(f => f.kind === 'segment')
  const retained = files.filter(f => f.kind === 'retained')
  const torn = plan.actions.truncate !== null && !plan.actions.truncate.keepCopy ? plan.actions.truncate.from - plan.actions.truncate.to : 0
  return {
    location: view.location,
    entries: plan.tree.size,
    dataBytes,
    seq: plan.seq,
    root: toHex(root),
    snapshot: plan.snapshot === null ? null : { file: plan.snapshot.name, seq: plan.snapshot.seq, bytes: plan.snapshot.bytes },
    images: (plan.generation?.files ?? []).map(f => ({ file: f.name, kind: f.header.kind, seq: f.header.seq, entries: f.header.count, bytes: f.header.end })),
    wal: { segments: segments.length, bytes: segments.reduce((n, f) => n + f.bytes, 0), recordsAfterSnapshot: plan.recordsReplayed, tornTailBytes: torn },
    retainedLog: { segments: retained.length, bytes: retained.reduce((n, f) => n + f.bytes, 0) },
    diskBytes: files.reduce((n, f) => n + f.bytes, 0),
    lock: describeLock(lock),
    lockHolder: lock.state === 'held' ? { pid: lock.pid, host: lock.host, live: lock.live } : null,
    checkpointFailed
  }
}

function humanRows (f: InfoFacts): Array<[string, string]> {
  const snapshot = f.snapshot === null ? 'none yet' : `${f.snapshot.file} (sequence ${f.snapshot.seq}, ${formatBytes(f.snapshot.bytes)})`
  let wal = `${f.wal.segments} segment${f.wal.segments === 1 ? '' : 's'}, ${formatBytes(f.wal.bytes)}, ${f.wal.recordsAfterSnapshot} batches after the checkpoint`
  if (f.wal.tornTailBytes > 0) wal += `, ${f.wal.tornTailBytes} B after the last frame (a torn write or unused space; cut at next open)`
  const rows: Array<[string, string]> = [
    ['location', f.location],
    ['entries', String(f.entries)],
    ['data', `${formatBytes(f.dataBytes)} of keys and values`],
    ['sequence', String(f.seq)],
    ['root', f.root],
    ['checkpoint', snapshot],
    ...f.images.map((i): [string, string] => [`${i.kind} image`, `${i.file} (sequence ${i.seq}, ${i.entries} entries, ${formatBytes(i.bytes)})`]),
    ['wal', wal],
    ...(f.retainedLog.segments === 0
      ? []
      : [['retained log', `${f.retainedLog.segments} segment${f.retainedLog.segments === 1 ? '' : 's'}, ${formatBytes(f.retainedLog.bytes)}, kept for change feeds`] as [string, string]]),
    ['on disk', formatBytes(f.diskBytes)],
    ['lock', f.lock]
  ]
  const failed = f.checkpointFailed
  if (failed !== null) {
    const kept = failed.code === 'unreadable'
      ? failed.message
      : `${failed.time}, ${failed.background ? 'in the background' : 'called'}: ${failed.message}; kept: ${failed.snapshotSeq === 0 ? 'no snapshot' : `the snapshot of sequence ${failed.snapshotSeq}`} and the log up to ${failed.seq}${failed.writesDisabled ? '; writes were disabled until reopened' : ''}`
    rows.push(['last checkpoint failed', kept])
  }
  return rows
}
