/**
 * Snapshots of either format made on the real disk for tests: a version 1
 * snapshot (the first release's sorted entries), as a database of that
 * release left it, and the version 2 base image of a version 1 snapshot,
 * as a later release's migration would write it, made without opening the
 * database (so that nothing else in the directory changes).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { compareBytes, fromHex } from '../../lib/bytes'
import { nodeFileSystem } from '../../lib/fs/node-file-system'
import { writeImage } from '../../lib/image/write-image'
import { decodeSnapshotHeader } from '../../lib/snapshot/format'
import { readSnapshot } from '../../lib/snapshot/reader'
import { publishSnapshot } from './version-1-writer'
import { snapshotName } from '../../lib/store/file-names'
import { decodeIdentity, encodeIdentity, newIdentity } from '../../lib/store/identity'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { Tree } from '../../lib/tree/tree'
import { rootOf } from './db'

/** Publishes `entries` (any order, distinct keys) as the version 1 snapshot of seq `seq` in `directory`; returns its name. */
export async function writeVersion1Snapshot (directory: string, seq: number, entries: Array<[Uint8Array, Uint8Array]>): Promise<string> {
  const sorted = [...entries].sort((a, b) => compareBytes(a[0], b[0]))
  const name = snapshotName(seq)
  await nodeFileSystem.mkdir(directory)
  await publishSnapshot(
    { fs: nodeFileSystem, directory, tempPath: join(directory, `${name}.tmp-0000000000000000`), finalPath: join(directory, name) },
    { identity: encodeIdentity(newIdentity(DEFAULT_PARAMS)), seq, count: sorted.length, root: fromHex(rootOf(sorted)) },
    sorted
  )
  return name
}

/** Replaces the version 1 snapshot `name` in `directory` by a version 2 base image of the same identity, seq and entries. */
export async function rewriteAsImage (directory: string, name: string): Promise<void> {
  const bytes = new Uint8Array(readFileSync(join(directory, name)))
  const decoded = decodeSnapshotHeader(bytes)
  if (!decoded.ok) throw new Error(`not a version 1 snapshot: ${decoded.problem}`)
  const identity = decodeIdentity(decoded.header.identity)
  if (identity === null) throw new Error('malformed identity')
  let tree = Tree.empty(identity.params)
  const read = readSnapshot(bytes, (key, value) => { tree = tree.put(key, value) })
  if (!read.ok) throw new Error(`not a version 1 snapshot: ${read.problem}`)
  await writeImage({
    fs: nodeFileSystem,
    directory,
    name,
    tempName: `${name}.tmp-0000000000000000`,
    identity: read.header.identity,
    seq: read.header.seq,
    kind: 'base',
    chain: [],
    tree
  })
}
