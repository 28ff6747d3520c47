/**
 * An open file of the simulated file system: every call goes through the
 * file system's call machinery (trace, faults, capture) on the node the
 * handle was opened on, which stays reachable after an unlink or a rename
 * over its name, as on POSIX.
 */
import type { FileHandle } from '../../../lib/fs/file-system'
import { failedSyncFile, syncedFile } from './disk-state'
import type { FileNode } from './disk-state'
import { errnoError } from './faults'
import type { SimulatedFileSystem } from './simulated-file-system'
import type { FsOp } from './trace'

/** An open file of the simulated file system. */
export class SimulatedFileHandle implements FileHandle {
  #closed = false

  constructor (private readonly fs: SimulatedFileSystem, private readonly path: string, private readonly id: number) {}

  #open (op: FsOp): void {
    if (this.#closed) throw errnoError('EBADF', op, this.path)
  }

  async read (buffer: Uint8Array, position: number): Promise<number> {
    return await this.fs.handleCall('read', this.path, this.id, { offset: position, length: buffer.length }, (file, fail) => this.#read(file, fail, buffer, position))
  }

  // Traced and failed as a read: the trace and the faults see one kind of read, whichever thread.
  readSync (buffer: Uint8Array, position: number): number {
    return this.fs.handleCallSync('read', this.path, this.id, { offset: position, length: buffer.length }, (file, fail) => this.#read(file, fail, buffer, position))
  }

  // Reads what the page cache holds: unsynced data included, as on a live POSIX disk.
  #read (file: FileNode, fail: () => boolean, buffer: Uint8Array, position: number): { value: number } {
    this.#open('read')
    fail()
    const bytes = file.live.subarray(Math.min(position, file.live.length), Math.min(position + buffer.length, file.live.length))
    buffer.set(bytes)
    return { value: bytes.length }
  }

  async write (buffer: Uint8Array, position: number): Promise<void> {
    const data = buffer.slice()
    await this.fs.handleCall('write', this.path, this.id, { offset: position, length: data.length }, (file, fail) => {
      this.#open('write')
      if (fail()) {
        // ENOSPC after a short write: the first half landed in the page cache.
        const landed = data.subarray(0, data.length >> 1)
        const changed = landed.length > 0 ? this.fs.applyData(file, { kind: 'write', offset: position, data: landed }) : file
        this.fs.setNode(changed)
        throw Object.assign(errnoError('ENOSPC', 'write', this.path), { landed })
      }
      return { value: undefined, file: this.fs.applyData(file, { kind: 'write', offset: position, data }), data, mutating: true }
    })
  }

  async sync (): Promise<void> {
    await this.fs.handleCall('sync', this.path, this.id, {}, (file, fail) => {
      this.#open('sync')
      if (fail()) {
        this.fs.setNode(failedSyncFile(file))
        throw errnoError('EIO', 'sync', this.path)
      }
      return { value: undefined, file: syncedFile(file), mutating: file.pending.length > 0 }
    })
  }

  async truncate (size: number): Promise<void> {
    await this.fs.handleCall('truncate', this.path, this.id, { size }, (file, fail) => {
      this.#open('truncate')
      fail()
      return { value: undefined, file: this.fs.applyData(file, { kind: 'truncate', size }), mutating: true }
    })
  }

  async size (): Promise<number> {
    return await this.fs.handleCall('size', this.path, this.id, {}, (file, fail) => {
      this.#open('size')
      fail()
      return { value: file.live.length }
    })
  }

  async close (): Promise<void> {
    await this.fs.handleCall('close', this.path, this.id, {}, (_file, fail) => {
      this.#open('close')
      this.#closed = true
      fail()
      return { value: undefined }
    })
  }
}
