/**
 * A file system that reports every failed sync, of a file or of a directory,
 * before passing the error on. The engine wraps its file system in one so
 * that the first failed sync anywhere (log, snapshot, directory) stops all
 * writing until the database is reopened: after a failed fsync the kernel may
 * have dropped the data and marked it clean, so a retried fsync can report
 * success for bytes that never reach the disk (PostgreSQL's "fsyncgate").
 */
import type { FileHandle, FileStat, FileSystem, OpenMode } from './file-system'

/** `fs`, calling `onFailure` with the error of every sync that fails. */
export function watchSyncs (fs: FileSystem, onFailure: (err: unknown) => void): FileSystem {
  const watched = async (sync: () => Promise<void>): Promise<void> => {
    try {
      await sync()
    } catch (err) {
      onFailure(err)
      throw err
    }
  }
  return {
    async open (path: string, mode: OpenMode): Promise<FileHandle> {
      const handle = await fs.open(path, mode)
      return {
        read: async (buffer, position) => await handle.read(buffer, position),
        readSync: (buffer, position) => handle.readSync(buffer, position),
        write: async (buffer, position) => await handle.write(buffer, position),
        sync: async () => await watched(async () => await handle.sync()),
        truncate: async size => await handle.truncate(size),
        size: async () => await handle.size(),
        close: async () => await handle.close()
      }
    },
    readFile: async (path: string): Promise<Uint8Array> => await fs.readFile(path),
    readdir: async (path: string): Promise<string[]> => await fs.readdir(path),
    mkdir: async (path: string): Promise<void> => await fs.mkdir(path),
    stat: async (path: string): Promise<FileStat | null> => await fs.stat(path),
    lstat: async (path: string): Promise<FileStat | null> => await fs.lstat(path),
    rename: async (from: string, to: string): Promise<void> => await fs.rename(from, to),
    link: async (from: string, to: string): Promise<void> => await fs.link(from, to),
    unlink: async (path: string): Promise<void> => await fs.unlink(path),
    rmdir: async (path: string): Promise<void> => await fs.rmdir(path),
    syncDirectory: async (path: string): Promise<void> => await watched(async () => await fs.syncDirectory(path)),
    processStart: () => fs.processStart()
  }
}
