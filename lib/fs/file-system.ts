/**
 * The file-system interface: the only way the engine reaches a disk. The real
 * implementation (node-file-system.ts) wraps `node:fs`; tests substitute
 * in-memory and fault-injecting implementations of the same interface, so
 * that every call the engine makes can be failed or crashed at.
 *
 * The interface is deliberately small and explicit about durability: data is
 * durable only after `FileHandle.sync()`, a name only after
 * `FileSystem.syncDirectory()` of its directory.
 */

import { constants as bufferConstants } from 'node:buffer'
import { hasCode, ioError } from '../errors'

/** The most bytes one buffer can hold (4 GiB on 64-bit Node 20): a larger file cannot be read whole. */
export const MAX_WHOLE_FILE = bufferConstants.MAX_LENGTH

/** The coded error (LEVEL_IO_ERROR) of a read of `path` whole that no buffer can hold, or none that memory allows. */
export function cannotReadWhole (path: string, size: number, cause?: unknown): Error {
  return size > MAX_WHOLE_FILE
    ? ioError(`File ${path} is ${size} bytes, more than one buffer can hold (${MAX_WHOLE_FILE}): it cannot be read whole`)
    : ioError(`No memory to read file ${path} (${size} bytes) whole`, cause)
}

/** How a file is opened. */
export type OpenMode =
  /** Read only; the file must exist. */
  | 'read'
  /** Read and write; the file must exist. */
  | 'readwrite'
  /** Create a new file for reading and writing; fails with EEXIST if it exists. */
  | 'create'

/** An open file. Positions are absolute byte offsets. */
export interface FileHandle {
  /**
   * Reads `buffer.length` bytes at `position`, fewer only where the file ends; resolves with
   * the count read (0 at or past the end). Callers need no loop of their own.
   */
  read (buffer: Uint8Array, position: number): Promise<number>
  /**
   * As {@link FileHandle.read}, on this thread: returns the count read (0 at or past the end),
   * or throws what `read` would reject with. Why: a tree read on demand from an image file reads
   * one small record per node visited, and a pread from the page cache costs ~2 µs where the
   * thread-pool round trip of `read` costs ~20 µs.
   */
  readSync (buffer: Uint8Array, position: number): number
  /** Writes all of `buffer` at `position`, or rejects (possibly after writing a prefix). */
  write (buffer: Uint8Array, position: number): Promise<void>
  /** Makes the file's data durable (fdatasync semantics are enough for our use, size included). */
  sync (): Promise<void>
  /** Sets the file's length. */
  truncate (size: number): Promise<void>
  /** The file's current length. */
  size (): Promise<number>
  /** Closes the handle; further calls are errors. */
  close (): Promise<void>
}

/** What `stat` and `lstat` report. */
export interface FileStat {
  /** A regular file (not a directory, link, FIFO, socket or device). */
  isFile: boolean
  isDirectory: boolean
  /** A symbolic link; only `lstat` can say so (`stat` follows links). */
  isSymbolicLink: boolean
  size: number
  /** Identifies the file on its file system while it exists (device and inode on a real disk). */
  id: string
}

/** The file-system operations the engine uses. Paths are absolute or relative to the process. */
export interface FileSystem {
  open (path: string, mode: OpenMode): Promise<FileHandle>
  /** Reads a whole file; one larger than {@link MAX_WHOLE_FILE} is refused with {@link cannotReadWhole}'s error. */
  readFile (path: string): Promise<Uint8Array>
  /** Names in a directory (not paths), in no particular order. */
  readdir (path: string): Promise<string[]>
  /** Creates a directory and its missing parents; no error if it exists. */
  mkdir (path: string): Promise<void>
  /** Information on a path, or null when nothing is there; follows symbolic links. */
  stat (path: string): Promise<FileStat | null>
  /** As `stat`, but a symbolic link is described itself, not followed. */
  lstat (path: string): Promise<FileStat | null>
  /** Atomically renames, replacing `to` if it exists. */
  rename (from: string, to: string): Promise<void>
  /** Creates `to` as another name of `from`; fails with EEXIST if `to` exists (an atomic create-with-content). */
  link (from: string, to: string): Promise<void>
  /** Removes a file. */
  unlink (path: string): Promise<void>
  /** Removes an empty directory. */
  rmdir (path: string): Promise<void>
  /** Makes the directory's entries (creates, renames, unlinks) durable. */
  syncDirectory (path: string): Promise<void>
  /**
   * Tells the running process from an earlier one that had the same process id, as seen
   * by this disk: LOCK files record it (lib/store/lock.ts). The real disk answers when the
   * process started (process-start.ts), the same in every thread; a simulated disk answers a
   * token of its own, so that a LOCK found in a crash image reads as left by a dead process.
   */
  processStart (): string
}

/** True when `err` is a Node file-system error with the given errno code (ENOENT, EEXIST, …). */
export function isErrno (err: unknown, code: string): boolean {
  return hasCode(err, code)
}
