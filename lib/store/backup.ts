/**
 * Hot backup: a consistent copy of one captured tree version, written into
 * another directory while the database keeps taking writes.
 *
 * A backup is a database directory holding a single snapshot file and
 * nothing else: open() of such a directory loads the snapshot, finds no log
 * to replay and starts a new segment after the snapshot's sequence number
 * (recovery.ts). The snapshot carries the source's identity (its id and tree
 * parameters), so the copy has the same root, and log segments of the source
 * that continue after the backup's sequence number would replay onto it.
 *
 * The procedure:
 *  1. check the target: it must not be the database or inside it, and must
 *     not exist, or be an empty directory (a backup never overwrites anything);
 *  2. create it and make its name durable (fsync of the parent);
 *  3. hash the captured version (in slices, so that writers keep going);
 *  4. publish it as the target's base image: temp file, fsync, rename, fsync
 *     of the target directory (image/write-image.ts).
 * A crash leaves at worst a directory with a temporary file, which open()
 * removes: an empty database, never a wrong one.
 */
import { dirname, resolve } from 'node:path'
import { asIoError, ioError } from '../errors'
import type { FileSystem } from '../fs/file-system'
import { toHex } from '../bytes'
import type { Tree } from '../tree/tree'
import { randomBytes } from 'node:crypto'
import { writeImage } from '../image/write-image'
import { snapshotName, snapshotTempName } from './file-names'

/** What a backup wrote. */
export interface BackupResult {
  /** The directory the backup was written to. */
  location: string
  /** The snapshot file in it. */
  file: string
  /** Sequence number of the last batch the backup includes. */
  seq: number
  /** Entries in the backup. */
  entries: number
  /** Size of the snapshot file. */
  bytes: number
  /** Merkle root of the backed-up state, hexadecimal (the copy opens with this root). */
  root: string
}

/** A tree version captured between commit groups, with what names it. */
export interface CapturedState {
  tree: Tree
  seq: number
  identity: Uint8Array
}

/** Writes `state` as a new database in `target` (steps 1-4). `source` is the database's own directory. */
export async function writeBackup (fs: FileSystem, source: string, target: string, state: CapturedState): Promise<BackupResult> {
  try {
    return await backupSteps(fs, source, target, state)
  } catch (err) {
    throw asIoError(err, `Backup to ${target} failed`)
  }
}

async function backupSteps (fs: FileSystem, source: string, target: string, state: CapturedState): Promise<BackupResult> {
  // 1. The target must be somewhere else and hold nothing. Inside the database it would be
  // another database's files in this one's directory, deleted with it.
  await refuseInside(fs, source, target)
  const stat = await fs.stat(target)
  if (stat !== null && !stat.isDirectory) throw ioError(`Backup target ${target} exists and is not a directory`)
  if (stat !== null && (await fs.readdir(target)).length > 0) throw ioError(`Backup target ${target} is not empty`)
  // 2. Create it; its own name must survive a power loss like the snapshot inside it.
  if (stat === null) {
    await fs.mkdir(target)
    await fs.syncDirectory(dirname(resolve(target)))
  }
  // 3-4. Hash and publish.
  const { tree, seq, identity } = state
  // A base image holding every node; the nodes stay the source's (nothing is adopted).
  const file = snapshotName(seq)
  const written = await writeImage({
    fs, directory: target, name: file, tempName: snapshotTempName(seq, randomBytes(8).toString('hex')), identity, seq, kind: 'base', chain: [], tree
  })
  return { location: target, file, seq, entries: tree.size, bytes: written.bytes, root: toHex(written.header.root) }
}

// Compared by identity (device and inode), the target and each of its parents: a target reached
// through a symbolic link to the database, or to a directory inside it, is refused as well.
async function refuseInside (fs: FileSystem, source: string, target: string): Promise<void> {
  const database = await fs.stat(source)
  if (database === null) return
  for (let path = resolve(target), first = true; ; path = dirname(path), first = false) {
    const stat = await fs.stat(path)
    if (stat !== null && stat.id === database.id) {
      throw ioError(first ? `Backup target ${target} is the database itself` : `Backup target ${target} is inside the database ${source}`)
    }
    if (dirname(path) === path) return
  }
}
