/**
 * A test wrapper around a file system (after RocksDB's TEST_KILL_RANDOM
 * points): calls `onPoint` right before, or right after, the n-th call that
 * `matches` selects. Crash tests pass a callback
 * that SIGKILLs the process, so that a process dies at a chosen step of a
 * protocol (a log append, a directory sync, a snapshot rename) without any
 * hook inside the engine. Nothing else changes: calls go to the wrapped file
 * system as they are.
 */
import type { FileHandle, FileStat, FileSystem, OpenMode } from '../../lib/fs/file-system'
import type { FsOp } from './sim/trace'

/** A call as the matcher sees it. */
export interface KillPointCall {
  readonly op: FsOp
  /** The path called with; for calls on a handle, the path it was opened with. */
  readonly path: string
  /** Second path of rename and link. */
  readonly to?: string
  /** Position of a write. */
  readonly offset?: number
}

/** Where to stop. */
export interface KillPoint {
  matches: (call: KillPointCall) => boolean
  /** Stop at the n-th matching call (1-based). */
  nth: number
  when: 'before' | 'after'
  /** Called at the point; it is expected not to return (it kills the process). */
  onPoint: (call: KillPointCall) => void
}

/** `fs` with `point` armed. */
export function withKillPoint (fs: FileSystem, point: KillPoint): FileSystem {
  let seen = 0
  const run = async <T> (call: KillPointCall, body: () => Promise<T>): Promise<T> => {
    const hit = point.matches(call) && ++seen === point.nth
    if (hit && point.when === 'before') point.onPoint(call)
    const result = await body()
    if (hit && point.when === 'after') point.onPoint(call)
    return result
  }
  const runSync = <T> (call: KillPointCall, body: () => T): T => {
    const hit = point.matches(call) && ++seen === point.nth
    if (hit && point.when === 'before') point.onPoint(call)
    const result = body()
    if (hit && point.when === 'after') point.onPoint(call)
    return result
  }
  const handleOf = (path: string, handle: FileHandle): FileHandle => ({
    read: async (buffer, position) => await run({ op: 'read', path }, async () => await handle.read(buffer, position)),
    readSync: (buffer, position) => runSync({ op: 'read', path }, () => handle.readSync(buffer, position)),
    write: async (buffer, position) => await run({ op: 'write', path, offset: position }, async () => await handle.write(buffer, position)),
    sync: async () => await run({ op: 'sync', path }, async () => await handle.sync()),
    truncate: async size => await run({ op: 'truncate', path }, async () => await handle.truncate(size)),
    size: async () => await run({ op: 'size', path }, async () => await handle.size()),
    close: async () => await run({ op: 'close', path }, async () => await handle.close())
  })
  return {
    open: async (path: string, mode: OpenMode): Promise<FileHandle> => handleOf(path, await run({ op: 'open', path }, async () => await fs.open(path, mode))),
    readFile: async (path: string): Promise<Uint8Array> => await run({ op: 'readFile', path }, async () => await fs.readFile(path)),
    readdir: async (path: string): Promise<string[]> => await run({ op: 'readdir', path }, async () => await fs.readdir(path)),
    mkdir: async (path: string): Promise<void> => await run({ op: 'mkdir', path }, async () => await fs.mkdir(path)),
    stat: async (path: string): Promise<FileStat | null> => await run({ op: 'stat', path }, async () => await fs.stat(path)),
    lstat: async (path: string): Promise<FileStat | null> => await run({ op: 'lstat', path }, async () => await fs.lstat(path)),
    rename: async (from: string, to: string): Promise<void> => await run({ op: 'rename', path: from, to }, async () => await fs.rename(from, to)),
    link: async (from: string, to: string): Promise<void> => await run({ op: 'link', path: from, to }, async () => await fs.link(from, to)),
    unlink: async (path: string): Promise<void> => await run({ op: 'unlink', path }, async () => await fs.unlink(path)),
    rmdir: async (path: string): Promise<void> => await run({ op: 'rmdir', path }, async () => await fs.rmdir(path)),
    syncDirectory: async (path: string): Promise<void> => await run({ op: 'syncDirectory', path }, async () => await fs.syncDirectory(path)),
    processStart: () => fs.processStart()
  }
}
