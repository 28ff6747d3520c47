/**
 * Appends frames to the newest segment. The writer owns the file's end: each
 * append writes at the known valid end, and a failed append cuts the file
 * back to that end before anything else is written, so partial bytes of a
 * failed write can never sit between valid frames. A failed sync is never
 * retried (the kernel may have dropped the dirty pages): the writer refuses
 * all further work and the engine must be reopened.
 *
 * The segment is extended with zeros ahead of its frames. A synced append
 * then overwrites blocks the file already has, inside its known size, and
 * `fdatasync` flushes only the data: appending past the end makes every sync
 * also commit the new size and block allocation to the file system's
 * journal, which costs more (docs/PERFORMANCE.md has the figures).
 * PostgreSQL fills its WAL segments with zeros for the same reason. The
 * extensions are at most a megabyte: the sync after one also flushes its
 * zeros, once. Readers take zeros after the last frame for unused space
 * (docs/FORMAT.md); a clean close and a rotation cut them off.
 */
import type { FileHandle, FileSystem } from '../fs/file-system'
import { FRAME_HEADER_SIZE, SEGMENT_HEADER_SIZE, WAL_VERSION, encodeSegmentHeader, saltSeed, sealFrame } from './format'
import type { SegmentHeader } from './format'

/** What a new segment's header says besides the version, which is always the current one. */
export type NewSegment = Omit<SegmentHeader, 'version'>

/** The least a segment is extended by, once it must grow. */
export const MIN_EXTENSION = 4096
/** The most a segment is extended by at once. */
export const MAX_EXTENSION = 1024 * 1024

// Shared source of the zeros written ahead; never written to.
let zeros: Uint8Array | null = null

/** Statistics a writer keeps, for tests and benchmarks. */
export interface WalStats {
  appends: number
  syncs: number
  bytes: number
}

/** Writer of one segment. */
export class WalWriter {
  #end: number
  // The file's length: frames end at #end, zeros fill the rest.
  #capacity: number
  #synced: number
  // True when the file changed (frames, zeros or a cut) since the last sync.
  #dirty = false
  #failed: Error | null = null
  readonly #seed: number
  readonly stats: WalStats = { appends: 0, syncs: 0, bytes: 0 }

  private constructor (
    private readonly handle: FileHandle,
    readonly path: string,
    readonly header: SegmentHeader,
    end: number
  ) {
    this.#end = end
    this.#capacity = end
    this.#synced = end
    this.#seed = saltSeed(header.salt)
  }

  /**
   * Creates a new segment file with its header and syncs it. The caller must
   * sync the directory before relying on the segment's name.
   */
  static async create (fs: FileSystem, path: string, segment: NewSegment): Promise<WalWriter> {
    const header: SegmentHeader = { version: WAL_VERSION, ...segment }
    const handle = await fs.open(path, 'create')
    try {
      await handle.write(encodeSegmentHeader(header), 0)
      await handle.sync()
    } catch (err) {
      await handle.close().catch(() => {})
      throw err
    }
    return new WalWriter(handle, path, header, SEGMENT_HEADER_SIZE)
  }

  /**
   * Continues an existing segment of the current version whose valid frames
   * end at `end`; the file must be that long and durable as it is.
   */
  static async resume (fs: FileSystem, path: string, header: SegmentHeader, end: number): Promise<WalWriter> {
    if (header.version !== WAL_VERSION) throw new RangeError(`only segments of version ${WAL_VERSION} are continued`)
    return new WalWriter(await fs.open(path, 'readwrite'), path, header, end)
  }

  /** The size of a frame carrying `payloadLength` bytes. */
  static frameSize (payloadLength: number): number {
    return FRAME_HEADER_SIZE + payloadLength
  }

  /**
   * Writes the frame header for a payload already placed at
   * `frame + FRAME_HEADER_SIZE`. Its durable mark is the end of the last
   * successful sync: never more than what is durable when the frame is written.
   */
  seal (buf: Uint8Array, frame: number, payloadLength: number): void {
    sealFrame(buf, frame, payloadLength, this.#synced, this.#seed)
  }

  /** Bytes in the segment, header included. */
  get size (): number {
    return this.#end
  }

  /** Bytes appended since the last sync. */
  get unsyncedBytes (): number {
    return this.#end - this.#synced
  }

  /** The error that disabled this writer, if any. */
  get failure (): Error | null {
    return this.#failed
  }

  /** The file's length: the frames and the zeros written ahead of them. */
  get capacity (): number {
    return this.#capacity
  }

  /** Appends sealed frames. On failure the segment is cut back to its previous end. */
  async append (frames: Uint8Array): Promise<void> {
    if (this.#failed !== null) throw this.#failed
    const at = this.#end
    if (at + frames.length > this.#capacity) await this.#extend(at + frames.length)
    this.#dirty = true
    try {
      await this.handle.write(frames, at)
    } catch (err) {
      await this.#cutBack(at, err)
      throw err
    }
    this.#end = at + frames.length
    // After a failed extension the frames ran past the zeros: the next one starts after them.
    if (this.#end > this.#capacity) this.#capacity = this.#end
    this.stats.appends++
    this.stats.bytes += frames.length
  }

  // Makes the file reach past `needed` by as much as the segment holds so far (within
  // bounds): a segment that fills fast grows in few steps, one that stays small stays
  // small. Zeros are written only after `needed`: the frames' own write fills the bytes
  // before it (a frame of hundreds of megabytes is written once, not twice).
  // A failure here is not an error of the append, whose own write follows and
  // reports the disk's state; it only means no space was made ahead, so it is
  // ignored. Whatever the failed write left lies after the frames' end, where a
  // reader takes it for a torn tail and open() cuts it off.
  async #extend (needed: number): Promise<void> {
    const by = Math.min(Math.max(this.#capacity, MIN_EXTENSION), MAX_EXTENSION)
    const target = needed + by
    zeros ??= new Uint8Array(MAX_EXTENSION)
    this.#dirty = true
    try {
      for (let at = Math.max(this.#capacity, needed); at < target; at += zeros.length) {
        await this.handle.write(zeros.subarray(0, Math.min(zeros.length, target - at)), at)
      }
    } catch {
      return
    }
    this.#capacity = target
  }

  async #cutBack (at: number, cause: unknown): Promise<void> {
    this.#capacity = at
    try {
      await this.handle.truncate(at)
    } catch {
      this.#failed = cause instanceof Error ? cause : new Error(String(cause))
    }
  }

  /** Makes everything appended so far durable. A failure disables the writer for good. */
  async sync (): Promise<void> {
    if (this.#failed !== null) throw this.#failed
    if (this.#synced < this.#end) await this.#syncFile()
  }

  async #syncFile (): Promise<void> {
    const target = this.#end
    try {
      await this.handle.sync()
    } catch (err) {
      this.#failed = err instanceof Error ? err : new Error(String(err))
      throw err
    }
    this.stats.syncs++
    this.#dirty = false
    if (target > this.#synced) this.#synced = target
  }

  /**
   * Cuts the zeros written ahead off and makes the segment durable as it
   * stands, zeros and cuts included: what a clean close leaves, so that the
   * next open finds nothing to cut, even after a power loss. A failure
   * disables the writer, as a failed sync does.
   */
  async finish (): Promise<void> {
    if (this.#failed !== null) throw this.#failed
    if (this.#capacity > this.#end) {
      try {
        await this.handle.truncate(this.#end)
      } catch (err) {
        this.#failed = err instanceof Error ? err : new Error(String(err))
        throw err
      }
      this.#capacity = this.#end
      this.#dirty = true
    }
    if (this.#dirty) await this.#syncFile()
  }

  /** Closes the file (without syncing). */
  async close (): Promise<void> {
    await this.handle.close()
  }
}
