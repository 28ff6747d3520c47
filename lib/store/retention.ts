/**
 * Retention of retired log segments for change feeds (change-feed.ts).
 *
 * A checkpoint retires the segments its image covers. With retention on
 * (`retainLogBytes` or `retainLogMs`), a retired segment is renamed
 * `wal-N.log.retained-T` (T: when, in milliseconds since 1970) instead of
 * deleted, so that a feed can still read the batches it holds. Recovery never
 * reads a retained segment: it is older than the image in force. The oldest
 * retained segments are deleted as soon as the retained ones together exceed
 * `retainLogBytes`, or once they were retired more than `retainLogMs` ago:
 * always a prefix, so that what is left runs without a gap into the live log.
 */
import { join } from 'node:path'
import type { FileSystem } from '../fs/file-system'
import { classify, retainedName } from './file-names'

/** How much retired log to keep; an absent bound does not limit. */
export interface RetentionPolicy {
  /** The most bytes of retained segments kept (Infinity: no bound). */
  bytes: number
  /** The longest a retained segment is kept after it was retired, in ms (Infinity: no bound). */
  ms: number
}

/** The policy of the options `retainLogBytes` and `retainLogMs`; null when neither is set (nothing is kept). */
export function retentionPolicy (retainLogBytes: number | undefined, retainLogMs: number | undefined): RetentionPolicy | null {
  if (retainLogBytes === undefined && retainLogMs === undefined) return null
  return { bytes: retainLogBytes ?? Infinity, ms: retainLogMs ?? Infinity }
}

/**
 * Retires segment `name` (number `number`): kept under its retained name
 * when `policy` keeps anything, else deleted. The caller syncs the directory.
 */
export async function retireSegment (fs: FileSystem, directory: string, name: string, number: number, policy: RetentionPolicy | null, now = Date.now()): Promise<void> {
  if (policy === null || policy.bytes <= 0 || policy.ms <= 0) await fs.unlink(join(directory, name))
  else await fs.rename(join(directory, name), join(directory, retainedName(number, now)))
}

/**
 * Deletes the oldest retained segments until what is left keeps to
 * `policy` (every one, with no policy). Returns the names deleted; the
 * caller syncs the directory when there are any (losing a deletion to a
 * crash only keeps a segment longer).
 */
export async function pruneRetained (fs: FileSystem, directory: string, policy: RetentionPolicy | null, now = Date.now()): Promise<string[]> {
  const retained: Array<{ name: string, number: number, stamp: number, bytes: number }> = []
  for (const name of await fs.readdir(directory)) {
    const kind = classify(name)
    if (kind.kind !== 'retained') continue
    const stat = await fs.stat(join(directory, name))
    if (stat !== null) retained.push({ name, number: kind.number, stamp: kind.stamp, bytes: stat.size })
  }
  retained.sort((a, b) => a.number - b.number)
  let total = retained.reduce((n, r) => n + r.bytes, 0)
  const removed: string[] = []
  for (const r of retained) {
    const keep = policy !== null && total <= policy.bytes && now - r.stamp <= policy.ms
    if (keep) break
    await fs.unlink(join(directory, r.name))
    removed.push(r.name)
    total -= r.bytes
  }
  return removed
}
