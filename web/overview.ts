/**
 * The overview: what `/v1/overview` says of the database, as a list of
 * facts. The shape mirrors lib/serve/overview.ts; the recovery report is the
 * library's own type (a type only: nothing of lib/store enters the bundle).
 */
import type { RecoveryReport } from '../lib/store/options'
import { formatBytes } from './bytes'

interface FileCount { files: number, bytes: number }

/** The answer of `/v1/overview`. */
export interface Overview {
  root: string
  seq: number
  count: number
  salt: string
  disk: { bytes: number, log: FileCount, retainedLog: FileCount, images: FileCount, other: FileCount }
  lastCheckpoint: null
  | { ok: true, time: string, background: boolean, result: { seq: number, file: string | null, bytes: number, entries: number, kind?: string } }
  | { ok: false, time: string, message: string, snapshotSeq: number, seq: number, writesDisabled: boolean }
  recovery: null | RecoveryReport
  lastCheck: null | { time: string, snapshot: boolean, report: { ok: boolean, problems: string[], entries: number, depth: number, hashesChecked: number, root: string } }
  limits: { maxRangeEntries: number, maxWaitMs: number }
}

/** The facts, in order: [id, label, text]; the id names the `dd` (`ov-<id>`). */
export function overviewFacts (o: Overview): Array<[string, string, string]> {
  return [
    ['entries', 'entries', String(o.count)],
    ['disk', 'bytes on disk', `${formatBytes(o.disk.bytes)} (images ${formatBytes(o.disk.images.bytes)}, log ${formatBytes(o.disk.log.bytes)})`],
    ['seq', 'sequence number', String(o.seq)],
    ['root', 'root', o.root],
    ['salt', 'salt', o.salt === '' ? '(none)' : o.salt],
    ['checkpoint', 'last checkpoint', checkpointText(o)],
    ['log', 'log', logText(o.disk)],
    ['recovery', 'last open', recoveryText(o.recovery)],
    ['check', 'last integrity check', checkText(o.lastCheck)]
  ]
}

function plural (n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`
}

function checkpointText (o: Overview): string {
  const c = o.lastCheckpoint
  if (c === null) {
    const loaded = o.recovery?.snapshot
    return `none since open${loaded === null || loaded === undefined ? '' : `; the state was loaded from ${loaded.file} (sequence ${loaded.seq})`}`
  }
  if (!c.ok) {
    return `FAILED at ${c.time}: ${c.message}; kept ${c.snapshotSeq === 0 ? 'no snapshot' : `the snapshot of sequence ${c.snapshotSeq}`} and the log up to ${c.seq}${c.writesDisabled ? '; writes disabled until reopened' : ''}`
  }
  const r = c.result
  const what = r.file === null ? 'nothing new to write' : `${r.kind ?? 'image'} ${r.file}, ${formatBytes(r.bytes)}`
  return `${c.time} (${c.background ? 'background' : 'called'}): sequence ${r.seq}, ${what}`
}

function logText (disk: Overview['disk']): string {
  const retained = disk.retainedLog.files === 0 ? '' : `; ${plural(disk.retainedLog.files, 'retained segment')}, ${formatBytes(disk.retainedLog.bytes)}`
  return `${plural(disk.log.files, 'segment')}, ${formatBytes(disk.log.bytes)}${retained}`
}

function recoveryText (r: Overview['recovery']): string {
  if (r === null) return 'unknown'
  if (r.created) return `created the database (${r.durationMs} ms)`
  const parts = [
    r.snapshot === null ? 'no snapshot' : `loaded ${r.snapshot.file} (sequence ${r.snapshot.seq})`,
    `replayed ${plural(r.recordsReplayed, 'batch')} from ${plural(r.segmentsRead, 'segment')}`
  ]
  if (r.bytesTruncated > 0) parts.push(`cut a torn tail of ${formatBytes(r.bytesTruncated)}`)
  if (r.snapshotsSkipped.length > 0) parts.push(`skipped ${r.snapshotsSkipped.map(s => `${s.file} (${s.problem})`).join(', ')}`)
  if (r.filesRemoved.length > 0) parts.push(`removed ${plural(r.filesRemoved.length, 'file')}`)
  if (r.filesSetAside.length > 0) parts.push(`set aside ${r.filesSetAside.join(', ')}`)
  return `${parts.join(', ')} in ${r.durationMs} ms`
}

function checkText (c: Overview['lastCheck']): string {
  if (c === null) return 'none since open (merkle-level serve --check runs one; an application calls db.check())'
  const r = c.report
  const of = c.snapshot ? 'of a snapshot' : 'of the state'
  if (!r.ok) return `PROBLEMS at ${c.time} ${of}: ${r.problems.join('; ')}`
  return `ok at ${c.time} ${of} with root ${r.root}: ${r.entries} entries, depth ${r.depth}, ${r.hashesChecked} hashes checked`
}
