/**
 * The real file system, over `node:fs/promises`. This file and the test
 * doubles are the only code that touches a disk.
 */
import { promises as fsp, constants, readSync, writeSync } from 'node:fs'
import type { BigIntStats } from 'node:fs'
import { MAX_WHOLE_FILE, cannotReadWhole } from './file-system'
import type { FileHandle, FileStat, FileSystem, OpenMode } from './file-system'
import { PROCESS_START } from './process-start'

const SYNC_WRITE_LIMIT = 1 << 20

// Bytes asked of one read(2): Node refuses more than 2^31 - 1 at a time (and Linux reads at most
// about that much), so a larger buffer is filled in several reads.
const READ_LIMIT = 1 << 30

const FLAGS: Record<OpenMode, number> = {
  read: constants.O_RDONLY,
  readwrite: constants.O_RDWR,
  create: constants.O_RDWR | constants.O_CREAT | constants.O_EXCL
}

class NodeFileHandle implements FileHandle {
  constructor (private readonly handle: fsp.FileHandle, private readonly path: string) {}

  async read (buffer: Uint8Array, position: number): Promise<number> {
    let total = 0
    try {
      while (total < buffer.length) {
        const length = Math.min(buffer.length - total, READ_LIMIT)
        const { bytesRead } = await this.handle.read(buffer, total, length, position + total)
        if (bytesRead === 0) break
        total += bytesRead
      }
    } catch (err) {
      throw withPath(err, this.path)
    }
    return total
  }

  readSync (buffer: Uint8Array, position: number): number {
    let total = 0
    try {
      // A closed handle's descriptor is -1: refused as its async read refuses it.
      if (this.handle.fd === -1) throw closedError('read')
      while (total < buffer.length) {
        const length = Math.min(buffer.length - total, READ_LIMIT)
        const bytesRead = readSync(this.handle.fd, buffer, total, length, position + total)
        if (bytesRead === 0) break
        total += bytesRead
      }
    } catch (err) {
      throw withPath(err, this.path)
    }
    return total
  }

  async write (buffer: Uint8Array, position: number): Promise<void> {
    // write(2) may write less than asked (a full disk, a signal): continue until
    // all is written or an error says why not. Up to a megabyte it is done on
    // this thread: copying into the page cache takes microseconds, less than the
    // round trip through libuv's thread pool that an awaited write costs every
    // unsynced put. Larger writes go to the pool so that the event loop stays free.
    let done = 0
    while (done < buffer.length) {
      const length = buffer.length - done
      const bytesWritten = length <= SYNC_WRITE_LIMIT
        ? writeSync(this.handle.fd, buffer, done, length, position + done)
        : (await this.handle.write(buffer, done, length, position + done)).bytesWritten
      if (bytesWritten === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' })
      done += bytesWritten
    }
  }

  async sync (): Promise<void> {
    await this.handle.datasync()
  }

  async truncate (size: number): Promise<void> {
    await this.handle.truncate(size)
  }

  async size (): Promise<number> {
    return (await this.handle.stat()).size
  }

  async close (): Promise<void> {
    await this.handle.close()
  }
}

/** The `node:fs` implementation of {@link FileSystem}. */
export class NodeFileSystem implements FileSystem {
  async open (path: string, mode: OpenMode): Promise<FileHandle> {
    return new NodeFileHandle(await fsp.open(path, FLAGS[mode], 0o644), path)
  }

  async readFile (path: string): Promise<Uint8Array> {
    // Read in chunks through a handle: fs.readFile refuses files of 2 GiB or more.
    const handle = await this.open(path, 'read')
    try {
      const size = await handle.size()
      const bytes = wholeFileBuffer(path, size)
      const length = await handle.read(bytes, 0)
      // A file that shrank meanwhile is what is there.
      return length === size ? bytes : bytes.subarray(0, length)
    } finally {
      await handle.close()
    }
  }

  async readdir (path: string): Promise<string[]> {
    return await fsp.readdir(path)
  }

  async mkdir (path: string): Promise<void> {
    await fsp.mkdir(path, { recursive: true })
  }

  async stat (path: string): Promise<FileStat | null> {
    return await statOrNull(async () => await fsp.stat(path, { bigint: true }))
  }

  async lstat (path: string): Promise<FileStat | null> {
    return await statOrNull(async () => await fsp.lstat(path, { bigint: true }))
  }

  async rename (from: string, to: string): Promise<void> {
    await fsp.rename(from, to)
  }

  async link (from: string, to: string): Promise<void> {
    await fsp.link(from, to)
  }

  async unlink (path: string): Promise<void> {
    await fsp.unlink(path)
  }

  async rmdir (path: string): Promise<void> {
    await fsp.rmdir(path)
  }

  async syncDirectory (path: string): Promise<void> {
    // A directory is opened read-only and fsynced; this is how POSIX makes
    // renames, creates and unlinks durable. Windows refuses (EPERM/EISDIR): there
    // NTFS journals metadata itself, so the refusal is not an error we can act on.
    let handle: fsp.FileHandle
    try {
      handle = await fsp.open(path, 'r')
    } catch (err) {
      if (process.platform === 'win32') return
      throw err
    }
    try {
      await handle.sync()
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (!(process.platform === 'win32' && (code === 'EPERM' || code === 'EISDIR'))) throw err
    } finally {
      await handle.close()
    }
  }

  processStart (): string {
    return PROCESS_START
  }
}

// Inodes are 64-bit numbers: read as bigints, they identify a file exactly.
async function statOrNull (stat: () => Promise<BigIntStats>): Promise<FileStat | null> {
  try {
    const s = await stat()
    return {
      isFile: s.isFile(),
      isDirectory: s.isDirectory(),
      isSymbolicLink: s.isSymbolicLink(),
      size: Number(s.size),
      id: `${s.dev}:${s.ino}`
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

// A buffer for a whole file of `size` bytes: a plain Uint8Array (the keys and values loaded from a
// file are views of it, and so of the same type as those of written batches, views of the log
// record they were encoded into, and as those the simulated disk of the tests gives), not zeroed
// (the read fills it). A file no buffer can hold is refused with a coded error naming it.
function wholeFileBuffer (path: string, size: number): Uint8Array {
  if (size > MAX_WHOLE_FILE) throw cannotReadWhole(path, size)
  let buffer: Buffer
  try {
    buffer = Buffer.allocUnsafeSlow(size)
  } catch (err) {
    throw cannotReadWhole(path, size, err)
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length)
}

// The error Node's promise API gives a call on a closed handle (EBADF, 'file closed').
function closedError (syscall: string): Error {
  return Object.assign(new Error('file closed'), { code: 'EBADF', syscall })
}

// Node's errors of reads through a handle name no file: the path is added to the message.
function withPath (err: unknown, path: string): unknown {
  if (!(err instanceof Error) || (err as NodeJS.ErrnoException).path !== undefined) return err
  err.message = `${err.message} (${path})`
  ;(err as NodeJS.ErrnoException).path = path
  return err
}

/** The process-wide real file system. */
export const nodeFileSystem: FileSystem = new NodeFileSystem()
