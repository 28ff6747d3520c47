/**
 * Engine options and the recovery report.
 */
import type { FileSystem } from '../fs/file-system'
import type { RecoveryMode } from './recovery'
import type { SaltOption } from './salt'

/** Options of the storage engine (the MerkleLevel constructor passes them on). */
export interface EngineOptions {
  /** The file system to use; the real one by default. Tests pass simulated ones. */
  fs?: FileSystem
  /**
   * Default durability of writes: true (the default) resolves a write after
   * its WAL record is fsynced; false after it reached the OS (survives a
   * process crash, not a power loss). Each write may override it.
   */
  sync?: boolean
  /**
   * Write a snapshot in the background once the WAL holds this many bytes
   * (default 64 MiB). 0 turns automatic checkpoints off.
   */
  checkpointBytes?: number
  /**
   * With automatic checkpoints on (`checkpointBytes` above 0), a checkpoint
   * also starts once the tree nodes that writes made since the last one
   * are estimated to take this many bytes of memory (default 512 MiB), and
   * writers wait while a running checkpoint has that much behind it again.
   */
  overlayBytes?: number
  /**
   * 'strict' (default): anything but a torn tail of the log is refused with
   * LEVEL_CORRUPTION. 'pointInTime': recover the longest valid prefix and set
   * the rest aside (renamed with a `.discarded-<time>` suffix).
   */
  recovery?: RecoveryMode
  /**
   * The salt of a database created by this open: 'random' (32 random bytes,
   * the defense against chosen keys that deepen the tree) or 0 to 32 given
   * bytes; absent, no salt. An existing database keeps its own. It is public:
   * proofs carry it and the root binds it (docs/MERKLE.md).
   */
  salt?: SaltOption
  /**
   * Bytes of tree nodes read from the image files kept in memory (default
   * 128 MiB). The operating system's page cache holds the files besides.
   */
  cacheBytes?: number
  /**
   * A checkpoint writes a new base image, instead of a delta, once the deltas
   * since the base hold this many times the base's bytes (default 2), or the
   * chain is {@link MAX_DELTAS} deltas long.
   */
  mergeRatio?: number
  /**
   * Keep log segments a checkpoint retires, for change feeds (`db.changes()`),
   * up to this many bytes in all; the oldest go first. Unset with
   * `retainLogMs` unset too: nothing is kept (the default).
   */
  retainLogBytes?: number
  /**
   * Keep log segments a checkpoint retires, for change feeds, this many
   * milliseconds after they were retired (checked at each checkpoint and
   * open). Unset with `retainLogBytes` unset too: nothing is kept.
   */
  retainLogMs?: number
}

/** Default WAL size that triggers a background checkpoint. */
export const DEFAULT_CHECKPOINT_BYTES = 64 * 1024 * 1024
/** Default estimate of the memory of nodes made since the last checkpoint that starts one. */
export const DEFAULT_OVERLAY_BYTES = 512 * 1024 * 1024
/** Bytes a node made by a write takes in memory, estimated (the node, its digests, its key and value views). */
export const OVERLAY_NODE_BYTES = 560
/** Default budget of image nodes kept in memory. */
export const DEFAULT_CACHE_BYTES = 128 * 1024 * 1024
/** Default ratio of deltas to base past which a checkpoint writes a new base. */
export const DEFAULT_MERGE_RATIO = 2
/** The most deltas a base carries: each is an open file, and a lookup may cross all of them. */
export const MAX_DELTAS = 16
/** Log bytes not covered by an image past which close() checkpoints, so that the next open replays little. */
export const CLOSE_CHECKPOINT_BYTES = 1024 * 1024

/** What the last open() did. */
export interface RecoveryReport {
  /** True when open() created a new database. */
  created: boolean
  /** The snapshot loaded, if any. */
  snapshot: { file: string, seq: number, bytes: number } | null
  /** Snapshots that failed validation and were set aside, with the reason. */
  snapshotsSkipped: Array<{ file: string, problem: string }>
  /** WAL segments read. */
  segmentsRead: number
  /** Batches replayed from the WAL. */
  recordsReplayed: number
  /**
   * Bytes cut from the log's tail, after its last valid frame: a torn write, and
   * after a crash the zeros the log is extended with ahead of its frames.
   */
  bytesTruncated: number
  /** Files removed: orphaned temporary files and files made obsolete by the snapshot. */
  filesRemoved: string[]
  /** Files renamed aside (damaged snapshots; in 'pointInTime' mode the discarded log). */
  filesSetAside: string[]
  /** Files in the directory that are not ours; left alone. */
  unknownFiles: string[]
  /** Sequence number of the last batch in the recovered state. */
  seq: number
  /** Entries in the recovered state. */
  entries: number
  /** Merkle root of the recovered state, hexadecimal. */
  root: string
  /** Wall-clock duration of open(), in milliseconds. */
  durationMs: number
}

/** What the cache of image files holds and did since open() (`db.cache`). */
export interface CacheStats {
  /** `cacheBytes`. */
  budget: number
  /** Bytes of decoded nodes and file blocks held (estimated). */
  bytes: number
  /** Nodes found decoded in the cache. */
  hits: number
  /** Nodes read and decoded from their files. */
  misses: number
  /** Blocks read from the files (a system call each). */
  blockReads: number
}

// A bad number here would fail far from its cause (no checkpoint ever, a cache of nothing or of
// everything), so the constructor refuses it.
const NUMBER_OPTIONS: Array<{ name: 'checkpointBytes' | 'overlayBytes' | 'cacheBytes' | 'mergeRatio' | 'retainLogBytes' | 'retainLogMs', zero: boolean }> = [
  { name: 'checkpointBytes', zero: true },
  { name: 'overlayBytes', zero: false },
  { name: 'cacheBytes', zero: true },
  { name: 'mergeRatio', zero: false },
  { name: 'retainLogBytes', zero: true },
  { name: 'retainLogMs', zero: true }
]

/** Throws a TypeError naming the first engine option that has a value of the wrong kind. */
export function assertEngineOptions (options: EngineOptions): void {
  for (const { name, zero } of NUMBER_OPTIONS) {
    const value: unknown = options[name]
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (value === 0 && !zero)) {
      throw new TypeError(`The '${name}' option must be a finite number ${zero ? 'of 0 or more' : 'above 0'}`)
    }
  }
  const { recovery, sync } = options
  if (recovery !== undefined && recovery !== 'strict' && recovery !== 'pointInTime') {
    throw new TypeError("The 'recovery' option must be 'strict' or 'pointInTime'")
  }
  if (sync !== undefined && typeof sync !== 'boolean') throw new TypeError("The 'sync' option must be a boolean")
}
