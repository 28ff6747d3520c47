/**
 * The checkpoint procedure, after the log was rotated (engine.ts):
 *  1. hash the captured tree version (in slices, so writers keep going);
 *  2. publish it, with the buffered writes captured along applied to it
 *     (applied-image.ts), as an image (lib/image/write-image.ts: temp file,
 *     fsync, rename, directory fsync): a delta of the nodes made since the
 *     current generation was written, or, when the deltas have grown past
 *     `mergeRatio` times the base (or there are MAX_DELTAS of them), a new
 *     base holding every node;
 *  3. only then delete what the image covers: older snapshots and images not
 *     in its chain, and every segment before the one the rotation started
 *     (or, with retention on, rename those segments to keep them for change
 *     feeds, and delete the retained ones past the policy: retention.ts);
 *     fsync the directory.
 * A crash anywhere leaves either the old generation with its whole log, or the
 * new one with possibly some covered log that recovery skips and removes.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { FileSystem } from '../fs/file-system'
import { Generation } from '../image/generation'
import type { NodeCache } from '../image/node-cache'
import { writeImage } from '../image/write-image'
import type { ImageTarget, WrittenImage } from '../image/write-image'
import type { Tree } from '../tree/tree'
import { classify, deltaName, deltaTempName, snapshotName, snapshotTempName } from './file-names'
import { writeAppliedImage } from './applied-image'
import { MAX_DELTAS } from './options'
import type { KeyedOp } from './pending-ops'
import { pruneRetained, retireSegment } from './retention'
import type { RetentionPolicy } from './retention'

/** What a checkpoint wrote and removed. */
export interface CheckpointResult {
  /** Sequence number the newest image covers. */
  seq: number
  /** The image file written, or null when nothing changed since the last one. */
  file: string | null
  /** Size of the image file written. */
  bytes: number
  /** Entries in the state. */
  entries: number
  /** Files deleted because the image covers them (segments kept for change feeds included, under their old names). */
  removed: string[]
  /** Whether the image is a base (every node) or a delta (the nodes changed since the last image). */
  kind?: 'base' | 'delta'
}

/**
 * A checkpoint's input: the state at `seq`, whose log continues in segment
 * `segment`: the captured version with the buffered writes `ops` (one per
 * key, in key order) applied.
 */
export interface Captured {
  tree: Tree
  ops: readonly KeyedOp[]
  seq: number
  segment: number
}

/** What the engine needs to go on after a checkpoint. */
export interface CheckpointOutcome {
  result: CheckpointResult
  /** The generation that now holds the captured state. */
  generation: Generation
  /**
   * True when the current tree must be moved onto the new image (engine.ts):
   * a new base was written, or the image holds nodes that only it has.
   */
  rebased: boolean
}

/** Whether the next image must be a base: no image yet, or the deltas outgrew the base. */
export function needsBase (generation: Generation | null, mergeRatio: number): boolean {
  if (generation === null) return true
  const files = generation.files
  if (files.length - 1 >= MAX_DELTAS) return true
  let deltas = 0
  for (let i = 1; i < files.length; i++) deltas += files[i].header.end
  return deltas > mergeRatio * files[0].header.end
}

/** Steps 1-3 (see the file header). */
export async function writeCheckpoint (
  fs: FileSystem, directory: string, identity: Uint8Array, captured: Captured,
  current: Generation | null, cache: NodeCache, base: boolean, retention: RetentionPolicy | null = null
): Promise<CheckpointOutcome> {
  const { tree, ops, seq, segment } = captured
  const chain = base || current === null ? [] : current.files
  const random = randomBytes(8).toString('hex')
  const name = chain.length === 0 ? snapshotName(seq) : deltaName(seq)
  const target: ImageTarget = {
    fs,
    directory,
    name,
    tempName: chain.length === 0 ? snapshotTempName(seq, random) : deltaTempName(seq, random),
    identity,
    seq,
    kind: chain.length === 0 ? 'base' : 'delta',
    chain
  }
  let written: WrittenImage
  let entries = tree.size
  if (ops.length === 0) {
    written = await writeImage({ ...target, tree })
  } else {
    const applied = await writeAppliedImage(target, tree, ops)
    written = applied.written
    entries = applied.entries
  }
  const handle = await fs.open(join(directory, name), 'read')
  const generation = (chain.length === 0 ? new Generation(cache) : current as Generation).extended(name, handle, written.header)
  // The nodes written from memory are in the new file from now on: later deltas refer to them there.
  const file = generation.newest
  for (const { node, at, len } of written.adopted) {
    node.src = file
    node.at = at
    node.len = len
  }

  const keep = new Set(generation.files.map(f => f.name))
  const removed: string[] = []
  for (const entry of await fs.readdir(directory)) {
    const kind = classify(entry)
    if ((kind.kind === 'snapshot' || kind.kind === 'delta') && !keep.has(entry)) {
      await fs.unlink(join(directory, entry))
      removed.push(entry)
    } else if (kind.kind === 'segment' && kind.number < segment) {
      // Kept for change feeds under another name when retention is on (retention.ts).
      await retireSegment(fs, directory, entry, kind.number, retention)
      removed.push(entry)
    }
  }
  removed.push(...await pruneRetained(fs, directory, retention))
  if (removed.length > 0) await fs.syncDirectory(directory)
  return {
    result: { seq, file: name, bytes: written.bytes, entries, removed, kind: chain.length === 0 ? 'base' : 'delta' },
    generation,
    rebased: chain.length === 0 || ops.length > 0
  }
}
