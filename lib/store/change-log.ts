/**
 * Reading committed batches back from the log, in order, while the engine
 * goes on writing it: the source of change feeds (change-feed.ts).
 *
 * The log is the live segments (`wal-N.log`) and, before them, the retired
 * ones kept for feeds (`wal-N.log.retained-T`, retention.ts). Segment
 * numbers run without a gap, so the batches a reader can have are those of
 * the run of consecutive numbers that ends with the newest segment; a batch
 * before it is gone (LEVEL_CHANGES_GONE).
 *
 * A reader keeps its segment open: a checkpoint may rename or delete it while
 * it reads, and the open file still reads the same bytes. It reads only up to
 * a sequence number the caller knows committed (the engine's `seq`), so never
 * a frame being written, nor a batch not yet acknowledged; and it stops right
 * after that batch's frame, so the bytes after it (zeros written ahead, or a
 * frame half written) are never searched as damage.
 */
import { join } from 'node:path'
import { corruption, levelError } from '../errors'
import { isErrno } from '../fs/file-system'
import type { FileHandle, FileSystem } from '../fs/file-system'
import { SEGMENT_HEADER_SIZE, decodeSegmentHeader } from '../wal/format'
import { scanSegmentHandle } from '../wal/reader'
import { decodeRecord } from './batch-record'
import type { BatchRecord } from './batch-record'
import { classify } from './file-names'

/** Bytes of the log a reader reads at once: a bound on what one read holds in memory. */
const READ_BYTES = 1024 * 1024

// Listing and opening race with checkpoints that rename and delete segments: list again.
const ATTEMPTS = 3

/** The LEVEL_CHANGES_GONE error: the log no longer holds batch `seq`. */
export function changesGone (seq: number, why: string): Error {
  return levelError(`The log no longer holds batch ${seq} (${why}); read the state anew`, 'LEVEL_CHANGES_GONE')
}

interface OpenSegment { number: number, firstSeq: number, handle: FileHandle }

/** A reader of the log from a given batch on (see the file header). */
export class LogReader {
  #segment: OpenSegment
  // Where the next frame of #segment starts, and the sequence number it must carry.
  #offset = SEGMENT_HEADER_SIZE
  #next: number
  // Batches before this one are read (to check the sequence) but not returned.
  readonly #from: number

  private constructor (private readonly fs: FileSystem, private readonly directory: string, segment: OpenSegment, from: number) {
    this.#segment = segment
    this.#next = segment.firstSeq
    this.#from = from
  }

  /**
   * A reader whose first batch is `from`. Rejects with LEVEL_CHANGES_GONE
   * when the log no longer reaches back that far.
   */
  static async open (fs: FileSystem, directory: string, from: number): Promise<LogReader> {
    for (let attempt = 1; ; attempt++) {
      try {
        const run = await logRun(fs, directory)
        let chosen: { number: number, name: string, firstSeq: number } | null = null
        for (const segment of run) if (segment.firstSeq <= from) chosen = segment
        if (chosen === null) {
          throw changesGone(from, run.length === 0 ? 'no log segment' : `the oldest segment kept starts at batch ${run[0].firstSeq}`)
        }
        const handle = await fs.open(join(directory, chosen.name), 'read')
        return new LogReader(fs, directory, { number: chosen.number, firstSeq: chosen.firstSeq, handle }, from)
      } catch (err) {
        if (!isErrno(err, 'ENOENT') || attempt === ATTEMPTS) throw err
      }
    }
  }

  /** The sequence number of the next batch this reader reads. */
  get next (): number {
    return Math.max(this.#next, this.#from)
  }

  /**
   * The next batches, up to `upto` (a committed sequence number), about
   * READ_BYTES of them at most; none when `next` is past `upto`.
   */
  async read (upto: number): Promise<BatchRecord[]> {
    const out: BatchRecord[] = []
    let bytes = 0
    while (this.#next <= upto && bytes < READ_BYTES) {
      const segment = this.#segment
      const visit = (frame: { offset: number, payload: Uint8Array }): boolean | 'last' => {
        const decoded = decodeRecord(frame.payload)
        if (!decoded.ok) throw corruption(`WAL segment ${segment.number}, offset ${frame.offset}: ${decoded.problem}`)
        const { record } = decoded
        if (record.seq !== this.#next) throw corruption(`WAL segment ${segment.number}, offset ${frame.offset}: batch ${record.seq} where ${this.#next} was expected`)
        this.#next++
        if (record.seq >= this.#from) {
          out.push(record)
          bytes += frame.payload.length
        }
        return record.seq === upto || bytes >= READ_BYTES ? 'last' : true
      }
      const scan = await scanSegmentHandle(segment.handle, visit, READ_BYTES, this.#offset)
      if (!scan.ok) throw corruption(`WAL segment ${segment.number} has a damaged header (${scan.problem})`)
      this.#offset = scan.validEnd
      // The end of this segment's frames: the batches that follow are in the next segment.
      if (!scan.stopped && this.#next <= upto) await this.#advance()
    }
    return out
  }

  // Moves to the segment after the current one, which must start where this one ended.
  async #advance (): Promise<void> {
    const number = this.#segment.number + 1
    const handle = await openSegment(this.fs, this.directory, number)
    if (handle === null) throw changesGone(this.#next, `segment ${number} was deleted`)
    let firstSeq: number
    try {
      const bytes = new Uint8Array(SEGMENT_HEADER_SIZE)
      const decoded = decodeSegmentHeader(bytes.subarray(0, await handle.read(bytes, 0)))
      if (!decoded.ok) throw corruption(`WAL segment ${number} has a damaged header (${decoded.problem})`)
      firstSeq = decoded.header.firstSeq
      if (firstSeq !== this.#next) throw corruption(`WAL segment ${number} starts at batch ${firstSeq} where ${this.#next} was expected`)
    } catch (err) {
      await handle.close().catch(() => {})
      throw err
    }
    await this.#segment.handle.close().catch(() => {})
    this.#segment = { number, firstSeq, handle }
    this.#offset = SEGMENT_HEADER_SIZE
  }

  /** Closes the segment being read. */
  async close (): Promise<void> {
    await this.#segment.handle.close().catch(() => {})
  }
}

// Segment `number`, under its live name or, once retired, its retained name; null when it is gone.
async function openSegment (fs: FileSystem, directory: string, number: number): Promise<FileHandle | null> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const name = (await fs.readdir(directory)).find(n => {
      const kind = classify(n)
      return (kind.kind === 'segment' || kind.kind === 'retained') && kind.number === number
    })
    if (name === undefined) return null
    try {
      return await fs.open(join(directory, name), 'read')
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err
    }
  }
  return null
}

// The segments of consecutive numbers that end with the newest one, with their first batches.
async function logRun (fs: FileSystem, directory: string): Promise<Array<{ number: number, name: string, firstSeq: number }>> {
  const found = new Map<number, string>()
  for (const name of await fs.readdir(directory)) {
    const kind = classify(name)
    // A live name wins over a retained one of the same number (never both but for a moment).
    if (kind.kind === 'segment' || (kind.kind === 'retained' && !found.has(kind.number))) found.set(kind.number, name)
  }
  const numbers = [...found.keys()].sort((a, b) => b - a)
  const run: Array<{ number: number, name: string, firstSeq: number }> = []
  for (const number of numbers) {
    if (run.length > 0 && run[0].number !== number + 1) break
    const name = found.get(number) as string
    const firstSeq = await firstSeqOf(fs, join(directory, name))
    if (firstSeq === null) break
    run.unshift({ number, name, firstSeq })
  }
  return run
}

// The first batch a segment's header names; null when the header is unreadable.
async function firstSeqOf (fs: FileSystem, path: string): Promise<number | null> {
  const handle = await fs.open(path, 'read')
  try {
    const bytes = new Uint8Array(SEGMENT_HEADER_SIZE)
    const decoded = decodeSegmentHeader(bytes.subarray(0, await handle.read(bytes, 0)))
    return decoded.ok ? decoded.header.firstSeq : null
  } finally {
    await handle.close()
  }
}
