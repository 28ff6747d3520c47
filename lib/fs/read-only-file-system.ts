/**
 * A read-only view of a file system: reads pass through, every call that
 * could change anything fails with EROFS. The offline tools (inspection,
 * integrity check) read a database through it, so that looking at a damaged
 * database can never change it.
 */
import type { FileHandle, FileStat, FileSystem, OpenMode } from './file-system'

function refused (what: string, path: string): Error {
  return Object.assign(new Error(`${what} ${path}: read-only access`), { code: 'EROFS' })
}

/** Wraps `fs` so that only reads are possible; `onRead` is told of every whole-file read (its size). */
export function readOnlyFileSystem (fs: FileSystem, onRead: (bytes: number) => void = () => {}): FileSystem {
  return {
    async open (path: string, mode: OpenMode): Promise<FileHandle> {
      if (mode !== 'read') throw refused('open for writing', path)
      return await fs.open(path, mode)
    },
    async readFile (path: string): Promise<Uint8Array> {
      const bytes = await fs.readFile(path)
      onRead(bytes.length)
      return bytes
    },
    async readdir (path: string): Promise<string[]> {
      return await fs.readdir(path)
    },
    async stat (path: string): Promise<FileStat | null> {
      return await fs.stat(path)
    },
    async lstat (path: string): Promise<FileStat | null> {
      return await fs.lstat(path)
    },
    processStart: () => fs.processStart(),
    async mkdir (path: string): Promise<void> { throw refused('mkdir', path) },
    async rename (from: string): Promise<void> { throw refused('rename', from) },
    async link (from: string): Promise<void> { throw refused('link', from) },
    async unlink (path: string): Promise<void> { throw refused('unlink', path) },
    async rmdir (path: string): Promise<void> { throw refused('rmdir', path) },
    async syncDirectory (path: string): Promise<void> { throw refused('sync', path) }
  }
}
