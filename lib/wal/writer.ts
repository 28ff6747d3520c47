/**
 * Appends frames to the newest segment. The writer owns the file's end: each
 * append writes at the known valid end, and a failed append cuts the file
 * back to that end before anything else is written, so partial bytes of a
 * failed write can never sit between valid frames. A failed sync is never
 * retried (the kernel may have dropped the dirty pages): the writer refuses
 * all further work and the engine must be reopened.
 */
import type { FileHandle, FileSystem } from '../fs/file-system'
import { FRAME_HEADER_SIZE, SEGMENT_HEADER_SIZE, encodeSegmentHeader, saltSeed, sealFrame } from './format'
import type { SegmentHeader } from './format'

/** Statistics a writer keeps, for tests and benchmarks. */
export interface WalStats {
  appends: number
  syncs: number
  bytes: number
}

/** Writer of one segment. */
export class WalWriter {
  #end: number
  #synced: number
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
    this.#synced = end
    this.#seed = saltSeed(header.salt)
  }

  /**
   * Creates a new segment file with its header and syncs it. The caller must
   * sync the directory before relying on the segment's name.
   */
  static async create (fs: FileSystem, path: string, header: SegmentHeader): Promise<WalWriter> {
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

  /** Continues an existing segment whose valid frames end at `end` (the file must be that long). */
  static async resume (fs: FileSystem, path: string, header: SegmentHeader, end: number): Promise<WalWriter> {
    return new WalWriter(await fs.open(path, 'readwrite'), path, header, end)
  }

  /** The size of a frame carrying `payloadLength` bytes. */
  static frameSize (payloadLength: number): number {
    return FRAME_HEADER_SIZE + payloadLength
  }

  /** Writes the frame header for a payload already placed at `frame + 12`. */
  seal (buf: Uint8Array, frame: number, payloadLength: number): void {
    sealFrame(buf, frame, payloadLength, this.header.salt)
  }

  /** Bytes in the segment, header included. */
  get size (): number {
    return this.#end
  }

  /** True when appended bytes are not yet synced. */
  get unsynced (): boolean {
    return this.#synced < this.#end
  }

  /** Bytes appended since the last sync. */
  get unsyncedBytes (): number {
    return this.#end - this.#synced
  }

  /** The error that disabled this writer, if any. */
  get failure (): Error | null {
    return this.#failed
  }

  /** The CRC seed of this segment's frames. */
  get seed (): number {
    return this.#seed
  }

  /** Appends sealed frames. On failure the segment is cut back to its previous end. */
  async append (frames: Uint8Array): Promise<void> {
    if (this.#failed !== null) throw this.#failed
    const at = this.#end
    try {
      await this.handle.write(frames, at)
    } catch (err) {
      await this.#cutBack(at, err)
      throw err
    }
    this.#end = at + frames.length
    this.stats.appends++
    this.stats.bytes += frames.length
  }

  async #cutBack (at: number, cause: unknown): Promise<void> {
    try {
      await this.handle.truncate(at)
    } catch {
      this.#failed = cause instanceof Error ? cause : new Error(String(cause))
    }
  }

  /** Makes everything appended so far durable. A failure disables the writer for good. */
  async sync (): Promise<void> {
    if (this.#failed !== null) throw this.#failed
    const target = this.#end
    if (this.#synced >= target) return
    try {
      await this.handle.sync()
    } catch (err) {
      this.#failed = err instanceof Error ? err : new Error(String(err))
      throw err
    }
    this.stats.syncs++
    if (target > this.#synced) this.#synced = target
  }

  /** Closes the file (without syncing). */
  async close (): Promise<void> {
    await this.handle.close()
  }
}
