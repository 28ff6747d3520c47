/**
 * An in-memory file system that remembers what was made durable (see
 * disk-state.ts), records every call as a trace, can capture the disk after
 * every call so that crash images can be made of any moment
 * (crash-images.ts), and injects faults (faults.ts).
 *
 * Semantics are those of a pessimistic POSIX file system: data is durable
 * only after a successful sync of its file, a name (create, link, rename,
 * unlink, mkdir) only after a successful sync of its directory. Renames
 * within one directory are supported (the engine never renames across).
 */
import { randomBytes } from 'node:crypto'
import { posix } from 'node:path'
import type { FileHandle, FileStat, FileSystem, OpenMode } from '../../../lib/fs/file-system'
import { SimulatedFileHandle } from './simulated-file-handle'
import { ROOT, failedSyncDir, newDir, newFile, syncedDir, withDataOp, withDirOp } from './disk-state'
import type { DataOp, DirNode, DiskNode, DiskState, FileNode } from './disk-state'
import { errnoError, faultApplies } from './faults'
import type { FaultPlan } from './faults'
import type { CallEvent, FsOp, TraceEvent } from './trace'

/** Options of a simulated file system. */
export interface SimulatedOptions {
  /** Start from this disk (a crash image); an empty disk by default. */
  state?: DiskState
  /** Capture the disk after every mutating call (for crash images); off by default. */
  capture?: boolean
  /** Awaited before every call, to vary how concurrent work interleaves. */
  scheduler?: () => Promise<void>
  /** Called when an armed fault fires, with the trace index of the failing call. */
  onFault?: (index: number) => void
}

/** A captured disk: the state after trace event `after` (-1: before any call). */
export interface CapturedState {
  readonly after: number
  readonly state: DiskState
}

type CallDetails = Omit<CallEvent, 'type' | 'index' | 'op' | 'path' | 'mutating' | 'error'>

/** The simulated file system. */
export class SimulatedFileSystem implements FileSystem {
  #nodes = new Map<number, DiskNode>()
  #nextId = 1
  #fault: FaultPlan | null = null
  #faultCount = 0
  #faultFiredAt: number | null = null
  #failing = false
  readonly #capture: boolean
  readonly #scheduler: (() => Promise<void>) | null
  readonly #onFault: ((index: number) => void) | null
  // Every disk, a crash image's included, is a machine of its own: a LOCK it holds from
  // an earlier instance names a process that is gone.
  readonly #processStart = `simulated:${randomBytes(8).toString('hex')}`
  /** Every call and mark, in order. */
  readonly trace: TraceEvent[] = []
  /** The disk after each mutating call, when capturing. */
  readonly states: CapturedState[] = []

  constructor (options: SimulatedOptions = {}) {
    if (options.state !== undefined) {
      this.#nodes = new Map(options.state.nodes)
      for (const id of this.#nodes.keys()) this.#nextId = Math.max(this.#nextId, id + 1)
    } else {
      this.#nodes.set(ROOT, newDir(ROOT))
    }
    this.#capture = options.capture === true
    this.#scheduler = options.scheduler ?? null
    this.#onFault = options.onFault ?? null
    if (this.#capture) this.states.push({ after: -1, state: this.snapshot() })
  }

  /** The disk now (immutable; shares bytes with the live disk). */
  snapshot (): DiskState {
    return { nodes: new Map(this.#nodes) }
  }

  /** Adds a mark to the trace. */
  mark (label: string, value = 0, flag = false): void {
    this.trace.push({ type: 'mark', index: this.trace.length, label, value, flag })
  }

  /** Arms a fault (or disarms with null); counting starts now. */
  inject (plan: FaultPlan | null): void {
    this.#fault = plan
    this.#faultCount = 0
    this.#faultFiredAt = null
    this.#failing = false
  }

  /** Trace index of the call the armed fault fired at, or null if it has not fired. */
  get faultFiredAt (): number | null {
    return this.#faultFiredAt
  }

  // ---- FileSystem -------------------------------------------------------

  async open (path: string, mode: OpenMode): Promise<FileHandle> {
    return await this.#call('open', path, { mode }, (fail) => {
      fail()
      const { dir, name } = this.#parent(path)
      const existing = dir.live.get(name)
      let id: number
      if (mode === 'create') {
        if (existing !== undefined) throw errnoError('EEXIST', 'open', path)
        id = this.#nextId++
        this.#nodes.set(id, newFile(id))
        this.#nodes.set(dir.id, withDirOp(dir, { kind: 'add', name, node: id }))
      } else {
        if (existing === undefined) throw errnoError('ENOENT', 'open', path)
        if (this.#node(existing).kind === 'dir') throw errnoError('EISDIR', 'open', path)
        id = existing
      }
      return { value: new SimulatedFileHandle(this, path, id), node: id, mutating: mode === 'create' }
    })
  }

  async readFile (path: string): Promise<Uint8Array> {
    return await this.#call('readFile', path, {}, (fail) => {
      fail()
      const file = this.#file(this.#lookup(path), 'readFile', path)
      return { value: file.live.slice(), node: file.id }
    })
  }

  async readdir (path: string): Promise<string[]> {
    return await this.#call('readdir', path, {}, (fail) => {
      fail()
      const node = this.#lookup(path)
      if (node.kind !== 'dir') throw errnoError('ENOTDIR', 'readdir', path)
      return { value: [...node.live.keys()] }
    })
  }

  async mkdir (path: string): Promise<void> {
    await this.#call('mkdir', path, {}, (fail) => {
      fail()
      let dir = this.#dir(ROOT)
      let mutating = false
      for (const part of parts(path)) {
        const child = dir.live.get(part)
        if (child === undefined) {
          const id = this.#nextId++
          this.#nodes.set(id, newDir(id))
          this.#nodes.set(dir.id, withDirOp(dir, { kind: 'add', name: part, node: id }))
          mutating = true
          dir = this.#dir(id)
        } else {
          const node = this.#node(child)
          if (node.kind !== 'dir') throw errnoError('ENOTDIR', 'mkdir', path)
          dir = node
        }
      }
      return { value: undefined, mutating }
    })
  }

  async stat (path: string): Promise<FileStat | null> {
    return await this.#statCall('stat', path)
  }

  // The simulated disk has no symbolic links: lstat and stat agree.
  async lstat (path: string): Promise<FileStat | null> {
    return await this.#statCall('lstat', path)
  }

  async rename (from: string, to: string): Promise<void> {
    await this.#call('rename', from, { to }, (fail) => {
      fail()
      const source = this.#parent(from)
      const target = this.#parent(to)
      if (source.dir.id !== target.dir.id) throw errnoError('EXDEV', 'rename', from)
      const node = source.dir.live.get(source.name)
      if (node === undefined) throw errnoError('ENOENT', 'rename', from)
      this.#nodes.set(source.dir.id, withDirOp(source.dir, { kind: 'rename', from: source.name, to: target.name, node }))
      return { value: undefined, node, mutating: true }
    })
  }

  async link (from: string, to: string): Promise<void> {
    await this.#call('link', from, { to }, (fail) => {
      fail()
      const source = this.#parent(from)
      const node = source.dir.live.get(source.name)
      if (node === undefined) throw errnoError('ENOENT', 'link', from)
      const target = this.#parent(to)
      if (target.dir.live.has(target.name)) throw errnoError('EEXIST', 'link', to)
      this.#nodes.set(target.dir.id, withDirOp(target.dir, { kind: 'add', name: target.name, node }))
      return { value: undefined, node, mutating: true }
    })
  }

  async unlink (path: string): Promise<void> {
    await this.#call('unlink', path, {}, (fail) => {
      fail()
      const { dir, name } = this.#parent(path)
      const node = dir.live.get(name)
      if (node === undefined) throw errnoError('ENOENT', 'unlink', path)
      if (this.#node(node).kind === 'dir') throw errnoError('EISDIR', 'unlink', path)
      this.#nodes.set(dir.id, withDirOp(dir, { kind: 'remove', name }))
      return { value: undefined, node, mutating: true }
    })
  }

  async rmdir (path: string): Promise<void> {
    await this.#call('rmdir', path, {}, (fail) => {
      fail()
      const { dir, name } = this.#parent(path)
      const node = dir.live.get(name)
      if (node === undefined) throw errnoError('ENOENT', 'rmdir', path)
      const target = this.#node(node)
      if (target.kind !== 'dir') throw errnoError('ENOTDIR', 'rmdir', path)
      if (target.live.size > 0) throw errnoError('ENOTEMPTY', 'rmdir', path)
      this.#nodes.set(dir.id, withDirOp(dir, { kind: 'remove', name }))
      return { value: undefined, mutating: true }
    })
  }

  async syncDirectory (path: string): Promise<void> {
    await this.#call('syncDirectory', path, {}, (fail) => {
      const node = this.#lookup(path)
      if (node.kind !== 'dir') throw errnoError('ENOTDIR', 'syncDirectory', path)
      if (fail()) {
        this.#nodes.set(node.id, failedSyncDir(node))
        throw errnoError('EIO', 'syncDirectory', path)
      }
      this.#nodes.set(node.id, syncedDir(node))
      return { value: undefined, node: node.id, mutating: node.pending.length > 0 }
    })
  }

  processStart (): string {
    return this.#processStart
  }

  // ---- calls on handles (SimulatedFileHandle forwards here) --------------

  /** @internal */
  async handleCall<T> (op: FsOp, path: string, id: number, details: CallDetails, body: (file: FileNode, fail: () => boolean) => { value: T, file?: FileNode, data?: Uint8Array, mutating?: boolean }): Promise<T> {
    return await this.#call(op, path, { ...details, node: id }, (fail) => {
      const file = this.#file(this.#node(id), op, path)
      const result = body(file, fail)
      if (result.file !== undefined) this.#nodes.set(id, result.file)
      return { value: result.value, node: id, data: result.data, mutating: result.mutating ?? false }
    })
  }

  /**
   * @internal As {@link handleCall}, on this thread: for the synchronous calls on a handle,
   * which the scheduler cannot delay but which are traced and failed as their async twins.
   */
  handleCallSync<T> (op: FsOp, path: string, id: number, details: CallDetails, body: (file: FileNode, fail: () => boolean) => { value: T, file?: FileNode, data?: Uint8Array, mutating?: boolean }): T {
    return this.#run(op, path, { ...details, node: id }, (fail) => {
      const file = this.#file(this.#node(id), op, path)
      const result = body(file, fail)
      if (result.file !== undefined) this.#nodes.set(id, result.file)
      return { value: result.value, node: id, data: result.data, mutating: result.mutating ?? false }
    })
  }

  /** @internal Issues a data operation on a file node. */
  applyData (file: FileNode, op: DataOp): FileNode {
    return withDataOp(file, op)
  }

  // ---- machinery --------------------------------------------------------

  async #statCall (op: 'stat' | 'lstat', path: string): Promise<FileStat | null> {
    return await this.#call(op, path, {}, (fail) => {
      fail()
      const node = this.#find(path)
      if (node === null) return { value: null }
      const size = node.kind === 'file' ? node.live.length : 0
      return { value: { isFile: node.kind === 'file', isDirectory: node.kind === 'dir', isSymbolicLink: false, size, id: String(node.id) } }
    })
  }

  // Runs one call: records it, applies the armed fault, captures the disk afterwards.
  // `body` calls `fail()` at the point where the call would touch the disk: for
  // most faults that throws; for 'fsync-eio' and 'enospc' it returns true and the
  // body simulates the partial effect itself.
  async #call<T> (
    op: FsOp, path: string, details: CallDetails,
    body: (fail: () => boolean) => { value: T, node?: number, data?: Uint8Array, mutating?: boolean }
  ): Promise<T> {
    if (this.#scheduler !== null) await this.#scheduler()
    else await Promise.resolve()
    return this.#run(op, path, details, body)
  }

  // The part of a call after the scheduler's turn: all of a synchronous call.
  #run<T> (
    op: FsOp, path: string, details: CallDetails,
    body: (fail: () => boolean) => { value: T, node?: number, data?: Uint8Array, mutating?: boolean }
  ): T {
    const index = this.trace.length
    const fires = this.#faultFires(op, index)
    const fail = (): boolean => {
      if (fires === null) return false
      if (fires === 'eio') throw errnoError('EIO', op, path)
      return true
    }
    try {
      const result = body(fail)
      this.trace.push({ type: 'call', index, op, path, ...details, node: result.node ?? details.node, data: result.data ?? details.data, mutating: result.mutating ?? false })
      if (result.mutating === true) this.#captureAfter(index)
      return result.value
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'EUNKNOWN'
      // A failed call may still have changed the disk (a short write, a failed sync).
      const mutating = fires !== null && fires !== 'eio'
      this.trace.push({ type: 'call', index, op, path, ...details, ...partialOf(err), error: code, mutating })
      if (mutating) this.#captureAfter(index)
      throw err
    }
  }

  #faultFires (op: FsOp, index: number): 'eio' | 'special' | null {
    const plan = this.#fault
    if (plan === null) return null
    if (this.#failing) return 'eio'
    if (this.#faultFiredAt !== null || !faultApplies(plan.kind, op)) return null
    if (++this.#faultCount !== plan.at) return null
    this.#faultFiredAt = index
    this.#onFault?.(index)
    if (plan.kind === 'eio-forever') this.#failing = true
    return plan.kind === 'eio-once' || plan.kind === 'eio-forever' ? 'eio' : 'special'
  }

  #captureAfter (index: number): void {
    if (this.#capture) this.states.push({ after: index, state: this.snapshot() })
  }

  #node (id: number): DiskNode {
    const node = this.#nodes.get(id)
    if (node === undefined) throw new Error(`simulated disk has no node ${id}`)
    return node
  }

  #dir (id: number): DirNode {
    const node = this.#node(id)
    if (node.kind !== 'dir') throw new Error(`node ${id} is not a directory`)
    return node
  }

  #file (node: DiskNode, op: FsOp, path: string): FileNode {
    if (node.kind !== 'file') throw errnoError('EISDIR', op, path)
    return node
  }

  #find (path: string): DiskNode | null {
    let node: DiskNode = this.#dir(ROOT)
    for (const part of parts(path)) {
      if (node.kind !== 'dir') return null
      const child: number | undefined = node.live.get(part)
      if (child === undefined) return null
      node = this.#node(child)
    }
    return node
  }

  #lookup (path: string): DiskNode {
    const node = this.#find(path)
    if (node === null) throw errnoError('ENOENT', 'stat', path)
    return node
  }

  #parent (path: string): { dir: DirNode, name: string } {
    const all = parts(path)
    const name = all.pop()
    if (name === undefined) throw errnoError('EISDIR', 'open', path)
    const dir = this.#find('/' + all.join('/'))
    if (dir === null) throw errnoError('ENOENT', 'open', path)
    if (dir.kind !== 'dir') throw errnoError('ENOTDIR', 'open', path)
    return { dir, name }
  }

  /** @internal Replaces a node after a handle call changed it. */
  setNode (node: DiskNode): void {
    this.#nodes.set(node.id, node)
  }
}

function parts (path: string): string[] {
  return posix.resolve('/', path).split('/').filter(p => p !== '')
}

// What a failed call left behind, for the trace: the bytes a short write put down.
function partialOf (err: unknown): { data?: Uint8Array } {
  const landed = (err as { landed?: Uint8Array }).landed
  return landed === undefined ? {} : { data: landed }
}
