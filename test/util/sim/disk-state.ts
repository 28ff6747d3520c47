/**
 * The state of a simulated disk, kept so that a crash can be simulated at
 * any moment: for every file its durable bytes plus the data operations
 * issued since its last successful sync, for every directory its durable
 * entries plus the entry operations issued since its last successful
 * directory sync. What a running process reads (the page cache) is the
 * durable state with every pending operation applied.
 *
 * Every object here is immutable: a change replaces the node it touches, so
 * capturing the whole disk after each call costs one map copy, and the
 * captured states share their bytes.
 */

/** A data operation on a file that is not yet durable. */
export type DataOp =
  | { readonly kind: 'write', readonly offset: number, readonly data: Uint8Array }
  | { readonly kind: 'truncate', readonly size: number }

/** An entry operation on a directory that is not yet durable. */
export type DirOp =
  | { readonly kind: 'add', readonly name: string, readonly node: number }
  | { readonly kind: 'remove', readonly name: string }
  | { readonly kind: 'rename', readonly from: string, readonly to: string, readonly node: number }

/** A file (an inode: its names live in directories). */
export interface FileNode {
  readonly kind: 'file'
  readonly id: number
  /** What survives any crash. */
  readonly durable: Uint8Array
  /** Issued since the last successful sync, in order. */
  readonly pending: readonly DataOp[]
  /** What reads see: `durable` with `pending` applied. */
  readonly live: Uint8Array
}

/** A directory. */
export interface DirNode {
  readonly kind: 'dir'
  readonly id: number
  readonly durable: ReadonlyMap<string, number>
  readonly pending: readonly DirOp[]
  readonly live: ReadonlyMap<string, number>
}

/** A file or a directory. */
export type DiskNode = FileNode | DirNode

/** The whole disk at one moment. Node 0 is the root directory. */
export interface DiskState {
  readonly nodes: ReadonlyMap<number, DiskNode>
}

/** The id of the root directory. */
export const ROOT = 0

/** The bytes of `content` after `op`. */
export function applyDataOp (content: Uint8Array, op: DataOp): Uint8Array {
  if (op.kind === 'truncate') {
    if (op.size <= content.length) return content.slice(0, op.size)
    const grown = new Uint8Array(op.size)
    grown.set(content)
    return grown
  }
  const end = op.offset + op.data.length
  const out = new Uint8Array(Math.max(content.length, end))
  out.set(content)
  out.set(op.data, op.offset)
  return out
}

/** The entries of a directory after `op`. */
export function applyDirOp (entries: ReadonlyMap<string, number>, op: DirOp): Map<string, number> {
  const out = new Map(entries)
  if (op.kind === 'add') out.set(op.name, op.node)
  else if (op.kind === 'remove') out.delete(op.name)
  else {
    out.delete(op.from)
    out.set(op.to, op.node)
  }
  return out
}

/** A file node with `op` issued (pending). */
export function withDataOp (node: FileNode, op: DataOp): FileNode {
  return { ...node, pending: [...node.pending, op], live: applyDataOp(node.live, op) }
}

/** A directory node with `op` issued (pending). */
export function withDirOp (node: DirNode, op: DirOp): DirNode {
  return { ...node, pending: [...node.pending, op], live: applyDirOp(node.live, op) }
}

/** A file after a successful sync: everything pending is durable. */
export function syncedFile (node: FileNode): FileNode {
  let durable = node.durable
  for (const op of node.pending) durable = applyDataOp(durable, op)
  return { ...node, durable, pending: [] }
}

/**
 * A file after a failed sync: the kernel may have dropped the dirty pages
 * and marked them clean, so what was pending never becomes durable (no later
 * sync will write it), while reads still see it.
 */
export function failedSyncFile (node: FileNode): FileNode {
  return { ...node, pending: [] }
}

/** A directory after a successful sync. */
export function syncedDir (node: DirNode): DirNode {
  let durable: ReadonlyMap<string, number> = node.durable
  for (const op of node.pending) durable = applyDirOp(durable, op)
  return { ...node, durable, pending: [] }
}

/**
 * A directory after a failed sync: unchanged. Its pending entry operations may
 * still reach the disk or not (file systems abort their journal on a metadata
 * write error rather than drop single operations and go on).
 */
export function failedSyncDir (node: DirNode): DirNode {
  return node
}

/** A new, empty file node. */
export function newFile (id: number): FileNode {
  const empty = new Uint8Array(0)
  return { kind: 'file', id, durable: empty, pending: [], live: empty }
}

/** A new, empty directory node. */
export function newDir (id: number): DirNode {
  const empty = new Map<string, number>()
  return { kind: 'dir', id, durable: empty, pending: [], live: empty }
}
