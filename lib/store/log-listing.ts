/**
 * Lists a database's write-ahead log for people: every segment header, every
 * batch record with its operations, and whatever damage the reader met.
 * Read-only; it judges nothing (that is recovery's job) and goes on past
 * damage to show as much as can be read.
 */
import { join } from 'node:path'
import type { FileSystem } from '../fs/file-system'
import { readOnlyFileSystem } from '../fs/read-only-file-system'
import { SEGMENT_HEADER_SIZE } from '../wal/format'
import { scanSegmentFile } from '../wal/reader'
import type { WalFrame } from '../wal/reader'
import { decodeIdentity } from './identity'
import { decodeRecord } from './batch-record'
import type { WriteOp } from './batch-record'
import { classify } from './file-names'
import { listDirectory } from './directory-listing'

/** One item of the listing. */
export type LogItem =
  | { kind: 'segment', file: string, bytes: number, segment: number, firstSeq: number, database: Uint8Array | null }
  | { kind: 'record', file: string, offset: number, seq: number, ops: WriteOp[] }
  | { kind: 'damage', file: string, offset: number, problem: string, validDataFollows: boolean }

/** The log of the database in `directory`, segment by segment, in order. */
export async function * listLog (fs: FileSystem, directory: string): AsyncGenerator<LogItem> {
  const reader = readOnlyFileSystem(fs)
  // A name of ours that is not a regular file (a FIFO could block a read forever) is refused first.
  const segments = (await listDirectory(reader, directory))
    .map(name => ({ name, kind: classify(name) }))
    .flatMap(({ name, kind }) => kind.kind === 'segment' ? [{ name, number: kind.number }] : [])
    .sort((a, b) => a.number - b.number)
  for (const { name } of segments) {
    const frames: WalFrame[] = []
    const read = await scanSegmentFile(reader, join(directory, name), frame => { frames.push(frame); return true })
    if (!read.ok) {
      // A header no longer than a header is a segment whose creation a crash interrupted.
      yield { kind: 'damage', file: name, offset: 0, problem: `segment header: ${read.problem}`, validDataFollows: read.length > SEGMENT_HEADER_SIZE }
      continue
    }
    const { header } = read
    yield { kind: 'segment', file: name, bytes: read.length, segment: header.segment, firstSeq: header.firstSeq, database: decodeIdentity(header.identity)?.id ?? null }
    for (const { offset, payload } of frames) {
      const decoded = decodeRecord(payload)
      if (!decoded.ok) yield { kind: 'damage', file: name, offset, problem: `record: ${decoded.problem}`, validDataFollows: true }
      else yield { kind: 'record', file: name, offset, seq: decoded.record.seq, ops: decoded.record.ops }
    }
    if (read.damage !== null) {
      const { offset, validFrameAfter, durableAfter, zeroFilled } = read.damage
      const what = durableAfter
        ? 'damaged frame, valid frames follow'
        : validFrameAfter ? 'unsynced bytes lost out of order, valid frames follow' : zeroFilled ? 'zero-filled tail' : 'torn tail'
      yield { kind: 'damage', file: name, offset, problem: `${what} (${read.length - offset} bytes)`, validDataFollows: validFrameAfter }
    }
  }
}
