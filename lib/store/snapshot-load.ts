/**
 * Step 3 of recovery (recovery.ts): load the newest snapshot that validates
 * (checksums, order, count, and the Merkle root recomputed from its
 * entries), noting the ones skipped.
 *
 * A snapshot is read one of two ways, with the same checks and the same
 * outcome (docs/FORMAT.md, "Reading a snapshot"):
 *  - whole, up to {@link snapshotReading}.wholeFileLimit bytes (every file
 *    Node's fs.readFile could read): into one buffer whose views become the
 *    entries, and, when it has many entries, into shared memory at the same
 *    time for a worker that lays out the tree meanwhile (snapshot-layout.ts);
 *  - in windows, when larger (snapshot/window-reader.ts): entries are views
 *    of the window they lie in, or copies of their own, and the tree is laid
 *    out on this thread from them. No buffer then holds the whole file, so
 *    a snapshot of any size loads.
 */
import { join } from 'node:path'
import { bytesEqual, toHex } from '../bytes'
import type { FileSystem } from '../fs/file-system'
import { readFileShared } from '../fs/read-shared'
import { readU32LE } from '../bytes'
import { IMAGE_HEADER_SIZE, IMAGE_VERSION } from '../image/format'
import type { ImageHeader } from '../image/format'
import { checkImageHeader, openGeneration } from '../image/generation'
import type { Generation } from '../image/generation'
import type { NodeCache } from '../image/node-cache'
import { rootDigest } from '../tree/lazy-hashing'
import { nodeHashBytes } from '../tree/cached-digests'
import { deltaName, snapshotName } from './file-names'
import { SNAPSHOT_HEADER_SIZE, decodeSnapshotHeader } from '../snapshot/format'
import type { SnapshotHeader } from '../snapshot/format'
import { readSnapshot } from '../snapshot/reader'
import { SNAPSHOT_WINDOW_SIZE, readSnapshotInWindows } from '../snapshot/window-reader'
import { entryNode, layoutTree, linkLayout, newTreeLayout } from '../tree/build'
import type { TreeLayout } from '../tree/build'
import type { TreeNode } from '../tree/node'
import { Tree } from '../tree/tree'
import { decodeIdentity } from './identity'
import type { Identity } from './identity'
import type { Result } from '../result'
import { layoutSnapshot, worthAWorker } from './snapshot-layout'

/**
 * How snapshots are read: whole up to `wholeFileLimit` bytes (with a second,
 * shared copy for the layout worker, so two buffers of the file's size at
 * once), larger ones in windows of `windowSize` bytes, entries only. Tests
 * lower both to read small files in windows.
 */
export const snapshotReading = {
  wholeFileLimit: 2 ** 31 - 1,
  windowSize: SNAPSHOT_WINDOW_SIZE
}

/** The newest usable snapshot, and what became of the others. */
export interface SnapshotChoice {
  /** The snapshot loaded; null when none is usable. */
  readonly loaded: LoadedSnapshot | null
  /** Snapshots that could not be used, with why: to set aside. */
  readonly skipped: ReadonlyArray<{ name: string, problem: string }>
  /** Snapshots older than the one loaded: to delete. */
  readonly older: readonly string[]
}

/** Loads the newest usable of `snapshots` (newest first); the others are skipped or older. */
export async function loadSnapshot (
  fs: FileSystem, directory: string, snapshots: Array<{ name: string, seq: number }>,
  walIdentity: Uint8Array | null, cache: NodeCache
): Promise<SnapshotChoice> {
  let chosen: LoadedSnapshot | null = null
  const skipped: Array<{ name: string, problem: string }> = []
  const older: string[] = []
  for (const { name, seq } of snapshots) {
    if (chosen !== null) {
      // Files of the chosen image's chain are its own, not older states.
      if (chosen.generation === null || !chosen.generation.files.some(f => f.name === name)) older.push(name)
      continue
    }
    const path = join(directory, name)
    const { head, size } = await readHead(fs, path)
    const loaded = head.length >= 12 && readU32LE(head, 8) === IMAGE_VERSION
      ? await openImage(fs, directory, name, checkImageHeader(head, size, seq, walIdentity), cache)
      : size > snapshotReading.wholeFileLimit
        ? await loadInWindows(fs, path, seq, walIdentity)
        : await loadWhole(fs, path, seq, walIdentity)
    if (!loaded.ok) {
      skipped.push({ name, problem: loaded.problem })
      continue
    }
    chosen = { name, ...loaded.snapshot }
  }
  return { loaded: chosen, skipped, older }
}

/** A snapshot loaded and checked. */
interface Loaded {
  header: SnapshotHeader
  identity: Identity
  tree: Tree
  /** Size of the file. */
  bytes: number
  /** The image files the tree is read from; null for a version 1 snapshot, read whole into memory. */
  generation: Generation | null
}

// A snapshot file's first bytes (as many as an image's header block) and its size: its version
// says how it is read, and an image's header is decoded from them without reading it again.
async function readHead (fs: FileSystem, path: string): Promise<{ head: Uint8Array, size: number }> {
  const handle = await fs.open(path, 'read')
  try {
    const head = new Uint8Array(IMAGE_HEADER_SIZE)
    return { head: head.subarray(0, await handle.read(head, 0)), size: await handle.size() }
  } finally {
    await handle.close()
  }
}

// Opens a tree image and its chain: headers only, and the root they name checked against the top node's hash.
async function openImage (fs: FileSystem, directory: string, name: string, read: Result<{ header: ImageHeader }>, cache: NodeCache): Promise<LoadResult> {
  if (!read.ok) return read
  const { header } = read
  const identity = decodeIdentity(header.identity)
  if (identity === null) return { ok: false, problem: 'malformed identity' }
  const opened = await openGeneration(fs, directory, { name, header }, { base: snapshotName, delta: deltaName }, cache)
  const seq = header.seq
  if (!opened.ok) return opened
  const { generation } = opened
  const tree = Tree.fromRoot(generation.newest.topStub(), identity.params)
  const root = tree.size === 0 ? tree.root() : rootDigest(nodeHashBytes(tree.top), header.count, identity.params)
  if (!bytesEqual(root, header.root)) {
    await generation.close()
    return { ok: false, problem: `Merkle root mismatch: the header says ${toHex(header.root)}, its top node gives ${toHex(root)}` }
  }
  return { ok: true, snapshot: { header: { identity: header.identity, seq, count: header.count, root: header.root }, identity, tree, bytes: generation.bytes, generation } }
}

/** The snapshot recovery starts from. */
export type LoadedSnapshot = Loaded & { name: string }

/** The entries of a snapshot as they are read, and a node for each. */
class LoadedEntries {
  readonly keys: Uint8Array[] = []
  readonly values: Uint8Array[] = []
  readonly nodes: TreeNode[] = []

  readonly add = (key: Uint8Array, value: Uint8Array): void => {
    this.keys.push(key)
    this.values.push(value)
    this.nodes.push(entryNode(key, value))
  }
}

/** A snapshot loaded and checked, or why it is not usable. */
type LoadResult = Result<{ snapshot: Loaded }>

async function loadWhole (fs: FileSystem, path: string, seq: number, walIdentity: Uint8Array | null): Promise<LoadResult> {
  // A snapshot of many entries is read twice at once: into an ordinary buffer, whose views
  // become the entries users read, and into shared memory for the worker that lays out its
  // tree (snapshot-layout.ts). Values in shared memory would be refused by APIs that refuse a
  // SharedArrayBuffer (a fetch Response body, for one), and two reads side by side cost less than
  // a copy (docs/PERFORMANCE.md). The shared copy is read only when the header counts enough
  // entries: a few large values are read once.
  const [bytes, shared] = await Promise.all([
    fs.readFile(path),
    readFileShared(fs, path, SNAPSHOT_HEADER_SIZE, worthAWorker)
  ])
  const checked = checkHeader(bytes, seq, walIdentity)
  if (!checked.ok) return checked
  const { header, identity } = checked

  // A worker lays the tree out (every hash and the shape) while this thread checks the file
  // (checksums, order, count) and makes the entries' views and nodes; then
  // the nodes are linked as the layout says and the root is checked.
  // Every entry takes at least two bytes: the file's size bounds the allocations, not its header.
  const count = Math.min(header.count, Math.floor(bytes.length / 2))
  const layout = layoutSnapshot(bytes, shared, count, identity.params)
  const entries = new LoadedEntries()
  const body = readSnapshot(bytes, entries.add)
  if (!body.ok) {
    layout.cancel()
    return body
  }
  const laidOut = await layout.result
  if (!laidOut.ok) return laidOut
  return finish(header, identity, laidOut.layout, entries.nodes, bytes.length)
}

async function loadInWindows (fs: FileSystem, path: string, seq: number, walIdentity: Uint8Array | null): Promise<LoadResult> {
  const handle = await fs.open(path, 'read')
  try {
    const size = await handle.size()
    const source = { path, size, read: async (buffer: Uint8Array, position: number) => await handle.read(buffer, position) }
    // The header alone settles whose snapshot this is before any entry is read.
    const head = new Uint8Array(Math.min(size, SNAPSHOT_HEADER_SIZE))
    const checked = checkHeader(head.subarray(0, await handle.read(head, 0)), seq, walIdentity)
    if (!checked.ok) return checked
    const { header, identity } = checked

    const entries = new LoadedEntries()
    const body = await readSnapshotInWindows(source, entries.add, snapshotReading.windowSize)
    if (!body.ok) return body
    const layout = newTreeLayout(entries.keys.length, false)
    layoutTree(entries, identity.params, layout)
    return finish(header, identity, layout, entries.nodes, size)
  } finally {
    await handle.close()
  }
}

// Whose snapshot this is, from its header alone, or why it is not usable.
function checkHeader (head: Uint8Array, seq: number, walIdentity: Uint8Array | null): Result<{ header: SnapshotHeader, identity: Identity }> {
  const read = decodeSnapshotHeader(head)
  if (!read.ok) return read
  const { header } = read
  const identity = decodeIdentity(header.identity)
  if (identity === null) return { ok: false, problem: 'malformed identity' }
  if (walIdentity !== null && !bytesEqual(walIdentity, header.identity)) return { ok: false, problem: 'belongs to another database than the WAL' }
  if (header.seq !== seq) return { ok: false, problem: 'sequence number differs from the file name' }
  return { ok: true, header, identity }
}

// Links the nodes as the layout says and checks the root the header names.
function finish (header: SnapshotHeader, identity: Identity, layout: TreeLayout, nodes: TreeNode[], bytes: number): LoadResult {
  const tree = Tree.fromRoot(linkLayout(layout, nodes), identity.params)
  const root = tree.root()
  if (!bytesEqual(root, header.root)) {
    return { ok: false, problem: `Merkle root mismatch: file says ${toHex(header.root)}, entries give ${toHex(root)}` }
  }
  return { ok: true, snapshot: { header, identity, tree, bytes, generation: null } }
}
