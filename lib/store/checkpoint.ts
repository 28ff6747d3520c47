/**
 * The checkpoint procedure, after the log was rotated (engine.ts):
 *  1. hash the captured tree version (in slices, so writers keep going);
 *  2. publish it as snapshot-<seq>.mls (temp file, fsync, rename, directory
 *     fsync: snapshot/writer.ts);
 *  3. only then delete what the snapshot covers: older snapshots and every
 *     segment before the one the rotation started; fsync the directory.
 * A crash anywhere leaves either the old snapshot with its whole log, or the
 * new snapshot with possibly some covered log that recovery skips and removes.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { FileSystem } from '../fs/file-system'
import { publishSnapshot } from '../snapshot/writer'
import type { Tree } from '../tree/tree'
import { classify, snapshotName, snapshotTempName } from './file-names'

/** What a checkpoint wrote and removed. */
export interface CheckpointResult {
  /** Sequence number the newest snapshot covers. */
  seq: number
  /** The snapshot file written, or null when nothing changed since the last one. */
  file: string | null
  /** Size of the snapshot file written. */
  bytes: number
  /** Entries in the snapshot. */
  entries: number
  /** Files deleted because the snapshot covers them. */
  removed: string[]
}

/** Steps 1-3 for a tree version captured at `seq`, whose log continues in segment `segment`. */
export async function writeCheckpoint (
  fs: FileSystem, directory: string, identity: Uint8Array,
  captured: { tree: Tree, seq: number, segment: number }
): Promise<CheckpointResult> {
  const { tree, seq, segment } = captured
  const { file, bytes } = await publishTree(fs, directory, identity, tree, seq)

  const removed: string[] = []
  for (const name of await fs.readdir(directory)) {
    const kind = classify(name)
    if ((kind.kind === 'snapshot' && kind.seq < seq) || (kind.kind === 'segment' && kind.number < segment)) {
      await fs.unlink(join(directory, name))
      removed.push(name)
    }
  }
  if (removed.length > 0) await fs.syncDirectory(directory)
  return { seq, file, bytes, entries: tree.size, removed }
}

/** What {@link publishTree} wrote. */
export interface PublishedTree {
  /** The snapshot's file name in its directory. */
  file: string
  bytes: number
  root: Uint8Array
}

/**
 * Hashes `tree` (in slices) and publishes it as the snapshot of `seq` in
 * `directory`: written to a temporary name, synced, renamed, the directory
 * synced (snapshot/writer.ts). A checkpoint and a backup both end here.
 */
export async function publishTree (fs: FileSystem, directory: string, identity: Uint8Array, tree: Tree, seq: number): Promise<PublishedTree> {
  const root = await tree.rootAsync()
  const file = snapshotName(seq)
  const { bytes } = await publishSnapshot({
    fs,
    directory,
    tempPath: join(directory, snapshotTempName(seq, randomBytes(8).toString('hex'))),
    finalPath: join(directory, file)
  }, { identity, seq, count: tree.size, root }, entriesOf(tree))
  return { file, bytes, root }
}

/** The entries of a tree version in ascending key order. */
export function * entriesOf (tree: Tree): Generator<readonly [Uint8Array, Uint8Array]> {
  const cursor = tree.cursor()
  cursor.first()
  for (let node = cursor.current; node !== null; cursor.advance(), node = cursor.current) {
    yield [node.key, node.value]
  }
}
