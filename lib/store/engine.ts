/**
 * The engine: where the tree, the write-ahead log and snapshot files meet.
 *
 * Commit protocol (one group at a time; docs/FORMAT.md, "Commit"):
 *  1. Writers queue their batches, in runs that share one promise. When no
 *     group is being written, the next run forms the next group (group
 *     commit): every batch queued meanwhile, up to MAX_GROUP_BYTES.
 *  2. Each batch gets the next sequence number and is encoded, framed and
 *     sealed into one buffer for the whole group.
 *  3. The buffer is appended to the current segment. If any batch of the
 *     group asked for `sync`, one fsync covers the whole group.
 *  4. Only then are the batches applied to the tree, in sequence order, and
 *     the new tree published; then the writers' promises resolve.
 *  A failed append leaves the tree as it was and rejects the group with
 *  LEVEL_IO_ERROR. A failed fsync also disables writes until the database is
 *  reopened: the kernel may have dropped the data, and a retried fsync could
 *  falsely report success.
 *
 * Checkpoints sync the log, then rotate it, between groups (each step is
 * queued like a group), then write the captured tree as a snapshot while
 * writers go on (checkpoint.ts).
 */
import { join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { asIoError, hasCode, ioError, levelError } from '../errors'
import type { FileSystem } from '../fs/file-system'
import { nodeFileSystem } from '../fs/node-file-system'
import { watchSyncs } from '../fs/sync-watch'
import { toHex } from '../bytes'
import { WalWriter } from '../wal/writer'
import { FRAME_HEADER_SIZE, MAX_PAYLOAD_LENGTH, newSegmentSalt } from '../wal/format'
import { Tree } from '../tree/tree'
import type { TreeParams } from '../tree/params'
import type { Generation } from '../image/generation'
import { NodeCache } from '../image/node-cache'
import { RetiredFiles } from '../image/retired-files'
import { detachWritten } from '../tree/detach'
import { nodesMade } from '../tree/node'
import { applyOps, encodeRecord, recordSize } from './batch-record'
import type { WriteOp } from './batch-record'
import { needsBase, writeCheckpoint } from './checkpoint'
import { writeBackup } from './backup'
import type { BackupResult } from './backup'
import type { Captured, CheckpointResult } from './checkpoint'
import { clearCheckpointFailure, recordCheckpointFailure } from './checkpoint-status'
import type { CheckpointFailure, CheckpointStatus } from './checkpoint-status'
import { segmentName } from './file-names'
import { DatabaseLock } from './lock'
import { LiveState } from './live-state'
import { planRecovery } from './recovery'
import { PendingOps } from './pending-ops'
import type { KeyedOp } from './pending-ops'
import { retentionPolicy } from './retention'
import type { RetentionPolicy } from './retention'
import { paramsForNewDatabase } from './salt'
import { carryOut } from './recovery-actions'
import { CLOSE_CHECKPOINT_BYTES, DEFAULT_CACHE_BYTES, DEFAULT_CHECKPOINT_BYTES, DEFAULT_MERGE_RATIO, DEFAULT_OVERLAY_BYTES, OVERLAY_NODE_BYTES } from './options'
import type { CacheStats, EngineOptions, RecoveryReport } from './options'

/**
 * The largest batch, as its encoded record (batch-record.ts: its keys and
 * values plus a few bytes per operation): one record is one log frame's
 * payload. A larger one is refused before anything is queued or written.
 */
export const MAX_BATCH_BYTES = MAX_PAYLOAD_LENGTH

/** Unsynced log bytes after which a group is synced anyway. */
const WAL_BYTES_PER_SYNC = 4 * 1024 * 1024

// Operations since the last root up to which root() hashes at once (see root()): a bound on
// how long it holds the event loop (docs/PERFORMANCE.md, "Measured decisions").
const SYNC_ROOT_OPS = 1024

// Buffered writes above which root() has a checkpoint apply them first (see root()).
const ROOT_CHECKPOINT_OPS = 32 * 1024

/** The longest a run of writes may keep the event loop from turning. */
const TURN_BUDGET_MS = 4

/**
 * The most log bytes one group appends (unless one batch alone is larger):
 * the group's buffer stays well within what one write of a file takes.
 */
const MAX_GROUP_BYTES = 64 * 1024 * 1024

interface PendingWrite {
  ops: readonly WriteOp[]
  /** Its record's size (recordSize), computed once when it was queued. */
  size: number
}

/**
 * Writes queued one after another, committed as one group and answered by
 * one promise: a queued write costs its operations and a slot in `writes`,
 * not a promise and a task of its own. A run takes writes while it is the
 * last in its list (until it leaves the queue for the log, or a write would
 * take it past MAX_GROUP_BYTES and so starts the next run).
 */
interface WriteRun {
  kind: 'write'
  writes: PendingWrite[]
  /** The frames' bytes. */
  bytes: number
  /** True when any write asked for sync. */
  sync: boolean
  done: Promise<void>
  resolve: () => void
  reject: (err: Error) => void
}

interface PendingRotation {
  kind: 'rotate'
  resolve: (captured: Captured | null) => void
  reject: (err: Error) => void
}

interface PendingSync {
  kind: 'sync'
  resolve: () => void
  reject: (err: Error) => void
}

type Task = WriteRun | PendingRotation | PendingSync

/** Counters for tests and benchmarks. */
export interface EngineStats {
  groups: number
  batches: number
}

/** Options of {@link Engine.open}, as abstract-level's `_open` receives them (both always present). */
export interface OpenOptions {
  createIfMissing: boolean
  errorIfExists: boolean
}

// What open() hands the engine it makes.
interface EngineState {
  tree: Tree
  pending: PendingOps | null
  seq: number
  writer: WalWriter
  snapshotSeq: number
  generation: Generation | null
  migrate: boolean
  cache: NodeCache
}

// Pending replayed operations applied per turn of the event loop after open (#settle).
const PENDING_SLICE = 4096

/** The storage engine of one open database. */
export class Engine {
  // The current version. The open edit changes its nodes in place: it never leaves the engine
  // but through captureVersion(), which closes the edit first.
  #live: Tree
  // The image files the current version reads from (null: none written yet), and those of
  // versions before the last new base, which captured versions may still read.
  #generation: Generation | null
  readonly #retired = new RetiredFiles()
  readonly #cache: NodeCache
  // A version 1 snapshot was loaded into memory: the next checkpoint writes a base, even with no new batch.
  #migrate: boolean
  // The batches applied to the tree since a running checkpoint captured its version: moved onto
  // its image if the current version moves there (#rebase; null when no checkpoint runs).
  #sinceCapture: WriteOp[][] | null = null
  // The image a checkpoint is writing, after its capture: writers wait for it once the log
  // since that capture reaches twice checkpointBytes (#commitGroup), which bounds the nodes
  // in memory that no image holds yet.
  #imageWriting: Promise<unknown> | null = null
  // The edit that nodes created since the version was last captured belong to (0: none open).
  #edit = 0
  // Replayed operations not applied yet (pending-ops.ts): point reads look here first, a
  // background task applies them in slices (#settle), and anything else that needs the whole
  // state applies the rest first. Null once none is left.
  #pending: PendingOps | null
  // The write buffer (pending-ops.ts): the puts and deletes committed since the last capture of a
  // checkpoint, not in the tree. Point reads look here first; the next checkpoint applies them
  // as it writes its image, and anything that needs the whole tree applies them first
  // (#applyBuffered). Unused when checkpoints are off: writes then go to the tree at once.
  #buffer = new PendingOps()
  // The buffer the running checkpoint captured, while that checkpoint is writing it into its
  // image (null once nothing but that image needs it).
  #frozen: PendingOps | null = null
  // Resolves once #pending is applied; null when nothing was pending.
  #applied: Promise<void> | null = null
  // The state recovery reached, held once the pending operations are applied until its root is
  // known; then what db.recovery reports of it.
  #recovered: Tree | null = null
  #recoveredFigures: { root: string, entries: number } | null = null
  // With checkpoints on, the replayed operations are the first write buffer instead, and the
  // checkpoint started at open captures exactly them (#recoverByCheckpoint): the version and the
  // operations it captured, until its image gives the recovered root (null: none captured yet).
  #recovering: { tree: Tree, ops: PendingOps, seq: number } | null = null
  #recoveringSeq = -1
  // Tree nodes this engine's writes made since the last checkpoint captured its version: they
  // stay in memory until an image holds them, so their estimated bytes start a checkpoint too.
  #overlayNodes = 0
  // Operations applied since the root was last computed: a bound on the hashing it needs.
  #unhashedOps = 0
  // Writes over the fairness budget, queued at the next turn of the event loop (see #queueFor).
  #waiting: WriteRun[] = []
  // The root being hashed in slices, if any (see root()).
  #rooting: Promise<Uint8Array> | null = null
  // Why the index is unusable (a logged batch failed to apply), if it is.
  #broken: Error | null = null
  #seq: number
  #writer: WalWriter
  #queue: Task[] = []
  #draining: Promise<void> | null = null
  #failure: Error | null = null
  #checkpoint: Promise<CheckpointResult> | null = null
  #snapshotSeq: number
  #closed = false
  #turnScheduled = false
  #lastTurn = performance.now()
  /** The file system for checkpoints and rotations: any failed sync there disables writes. */
  readonly #watched: FileSystem
  #lastCheckpoint: CheckpointStatus | null = null
  // Whether CHECKPOINT-FAILED may be in the directory (unknown at open: a checkpoint of an
  // earlier instance may have failed), so that a successful checkpoint looks for it.
  #failureRecorded = true
  // Told after every commit group and once at close (change feeds: change-feed.ts).
  readonly #commitListeners = new Set<() => void>()
  readonly stats: EngineStats = { groups: 0, batches: 0 }

  private constructor (
    private readonly fs: FileSystem,
    private readonly directory: string,
    private readonly lock: DatabaseLock,
    private readonly identityBytes: Uint8Array,
    private readonly options: Required<Pick<EngineOptions, 'sync' | 'checkpointBytes' | 'overlayBytes' | 'mergeRatio'>> & { retention: RetentionPolicy | null },
    state: EngineState,
    readonly recovery: RecoveryReport,
    private readonly onCheckpoint: (status: CheckpointStatus) => void
  ) {
    this.#live = state.tree
    this.#pending = state.pending
    this.#generation = state.generation
    this.#migrate = state.migrate
    this.#cache = state.cache
    this.#seq = state.seq
    this.#writer = state.writer
    this.#snapshotSeq = state.snapshotSeq
    this.#watched = watchSyncs(fs, err => { this.#failure ??= err instanceof Error ? err : new Error(String(err)) })
  }

  /**
   * Opens the database in `directory`: checks the location, takes the lock,
   * recovers (recovery.ts) and returns the engine. `onCheckpoint` is called
   * with the outcome of every checkpoint as it ends.
   */
  static async open (
    directory: string, options: EngineOptions & OpenOptions, onCheckpoint: (status: CheckpointStatus) => void = () => {}
  ): Promise<Engine> {
    const started = Date.now()
    const fs = options.fs ?? nodeFileSystem
    let lock: DatabaseLock
    try {
      await prepareDirectory(fs, directory, options.createIfMissing)
      lock = await DatabaseLock.acquire(fs, directory)
    } catch (err) {
      throw asIoError(err, 'File-system error during open')
    }
    let opened: Generation | null = null
    try {
      const cache = new NodeCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES)
      const plan = await planRecovery(fs, directory, options.recovery ?? 'strict', paramsForNewDatabase(options.salt), cache, true)
      opened = plan.generation
      if (plan.existed && options.errorIfExists) {
        throw levelError(`Database ${directory} exists (errorIfExists is set)`, 'LEVEL_DATABASE_NOT_OPEN')
      }
      // A new database: make the directory's own name durable. Not only when we just made
      // it: an earlier open may have created it and failed (or died) before this sync, and
      // acknowledged writes must never live in a directory that a power loss can unlink.
      if (!plan.existed) await fs.syncDirectory(join(directory, '..'))
      const retention = retentionPolicy(options.retainLogBytes, options.retainLogMs)
      const outcome = await carryOut(fs, directory, plan, retention)
      const report: RecoveryReport = {
        created: !plan.existed,
        snapshot: plan.snapshot === null ? null : { file: plan.snapshot.name, seq: plan.snapshot.seq, bytes: plan.snapshot.bytes },
        snapshotsSkipped: plan.snapshotsSkipped.map(s => ({ file: s.name, problem: s.problem })),
        segmentsRead: plan.segmentsRead,
        recordsReplayed: plan.recordsReplayed,
        bytesTruncated: outcome.bytesTruncated,
        filesRemoved: outcome.removed,
        filesSetAside: outcome.setAside,
        unknownFiles: [...plan.unknown],
        seq: plan.seq,
        entries: plan.tree.size,
        root: plan.pending === null ? toHex(await plan.tree.rootAsync()) : '',
        durationMs: Date.now() - started
      }
      const engine = new Engine(fs, directory, lock, plan.identityBytes, {
        sync: options.sync ?? true,
        checkpointBytes: options.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES,
        overlayBytes: options.overlayBytes ?? DEFAULT_OVERLAY_BYTES,
        mergeRatio: options.mergeRatio ?? DEFAULT_MERGE_RATIO,
        retention
      }, {
        tree: plan.tree,
        pending: plan.pending,
        seq: plan.seq,
        writer: outcome.writer,
        snapshotSeq: plan.snapshot?.seq ?? 0,
        generation: plan.generation,
        migrate: plan.migrate,
        cache
      }, report, onCheckpoint)
      if (plan.pending === null) engine.#recoveredFigures = { root: report.root, entries: report.entries }
      else if (engine.#recoveryCheckpointDue()) engine.#recoverByCheckpoint(report, plan.pending)
      else engine.#settle(report)
      // A version 1 snapshot is written as a base image now (the first release's state is in
      // memory until then); its file is replaced only once the image is durable (checkpoint.ts).
      if (plan.migrate) {
        try {
          await engine.checkpoint()
        } catch (err) {
          await engine.close().catch(() => {})
          throw err
        }
      }
      opened = null
      engine.#maybeCheckpoint()
      return engine
    } catch (err) {
      await opened?.close()
      await lock.release().catch(() => {})
      throw asIoError(err, 'File-system error during open')
    }
  }

  /**
   * The Merkle root of the current version. After a few writes (up to
   * SYNC_ROOT_OPS operations: some tens of thousands of node hashes at most)
   * it is computed at once, on the current version itself: nothing can
   * change it meanwhile, so the open edit stays open and the next writes keep
   * changing their nodes in place. After more, the version is captured and
   * hashed in slices that let other work run.
   */
  async root (): Promise<Uint8Array> {
    // One root at a time: a call that came while another hashes in slices waits for it,
    // then has at most the writes made meanwhile left to hash.
    // Many buffered writes: a checkpoint applies them while it writes its image, and knows the root
    // after them; applying them here as well would do that work twice (and hold their path copies).
    // One is run; should it fail, or writers add as many meanwhile, they are applied here after all.
    // A running checkpoint is waited for first (it may be applying most of them).
    let waited = false
    let checkpointed = false
    for (;;) {
      while (this.#rooting !== null) await this.#rooting.catch(() => {})
      if (this.#applied !== null) await this.#applied
      if (checkpointed || this.#buffered() <= ROOT_CHECKPOINT_OPS || this.#closed || this.#failure !== null) break
      const running = this.#checkpoint
      if (running !== null && !waited) {
        waited = true
        await running.catch(() => {})
        continue
      }
      checkpointed = true
      await this.#checkpointNow(true).catch(() => {})
    }
    this.#assertIndexWhole()
    this.#applyPending(Infinity)
    this.#applyBuffered()
    const few = this.#unhashedOps <= SYNC_ROOT_OPS
    this.#unhashedOps = 0
    if (few) return this.#live.root()
    const rooting = this.captureVersion().rootAsync()
    this.#rooting = rooting
    try {
      return await rooting
    } finally {
      this.#rooting = null
    }
  }

  /** The value of `key` in the current version, or undefined; the version is not captured. */
  get (key: Uint8Array): Uint8Array | undefined {
    this.#assertIndexWhole()
    const op = this.#lookup(key)
    if (op !== undefined) return op.type === 'put' ? op.value : undefined
    return this.#live.get(key)
  }

  /** Whether `key` is in the current version; the version is not captured. */
  has (key: Uint8Array): boolean {
    this.#assertIndexWhole()
    const op = this.#lookup(key)
    if (op !== undefined) return op.type === 'put'
    return this.#live.has(key)
  }

  // The newest operation on `key` that the tree does not hold yet.
  #lookup (key: Uint8Array): KeyedOp | undefined {
    return this.#buffer.lookup(key) ?? this.#frozen?.lookup(key) ?? this.#pending?.lookup(key)
  }

  /** The cache of image nodes and blocks (see {@link CacheStats}). */
  get cache (): CacheStats {
    const c = this.#cache
    return { budget: c.budget, bytes: c.bytes, hits: c.hits, misses: c.misses, blockReads: c.blockReads }
  }

  /**
   * Captures the current tree version (what reads see) and hands it out: the
   * open edit is closed, so later writes copy the nodes this version reaches
   * instead of changing them in place, and the caller may keep it as long as
   * it likes. The only way the version leaves the engine.
   */
  captureVersion (): Tree {
    this.#assertIndexWhole()
    this.#applyPending(Infinity)
    this.#applyBuffered()
    this.#edit = 0
    return this.#live
  }

  /** The public parameters of the tree (its salt); nothing is captured. */
  get params (): TreeParams {
    return this.#live.params
  }

  // After a logged batch failed to apply, the current version may be half changed in place.
  #assertIndexWhole (): void {
    if (this.#broken !== null) throw ioError('The index could not apply a logged batch and is unusable; reopen the database', this.#broken)
  }

  /** Sequence number of the last committed batch. */
  get seq (): number {
    return this.#seq
  }

  /** The default durability of writes. */
  get defaultSync (): boolean {
    return this.options.sync
  }

  /**
   * Commits a batch atomically; resolves once it is logged (and synced if
   * `sync`) and visible. A batch over {@link MAX_BATCH_BYTES} is refused with
   * LEVEL_WRITE_TOO_LARGE before it is queued. Writes queued together share
   * one promise (see WriteRun).
   */
  write (ops: readonly WriteOp[], sync: boolean): Promise<void> {
    if (this.#closed) return Promise.reject(levelError('Database is closed', 'LEVEL_DATABASE_NOT_OPEN'))
    if (this.#failure !== null) return Promise.reject(this.#refusal())
    const bytes = recordSize(ops)
    if (bytes > MAX_BATCH_BYTES) {
      return Promise.reject(levelError(`A batch of ${bytes} bytes is larger than a log record holds (${MAX_BATCH_BYTES} bytes); nothing was written`, 'LEVEL_WRITE_TOO_LARGE'))
    }
    const frame = WalWriter.frameSize(bytes)
    const run = openRun(this.#queueFor(), frame)
    run.writes.push({ ops, size: bytes })
    run.bytes += frame
    if (sync) run.sync = true
    this.#drain()
    return run.done
  }

  // An unsynced write completes without leaving the microtask queue (the log append is
  // synchronous), so a loop of awaited writes would starve timers, I/O and a background
  // checkpoint forever. A turn of the event loop is noted by a setImmediate; when none has
  // come for TURN_BUDGET_MS, writes wait in #waiting for one, and are queued then, together.
  #queueFor (): Task[] {
    // Writes already waiting go first: a later write must never overtake them (this also holds
    // between the turn noted below and the one that queues them).
    if (this.#waiting.length > 0) return this.#waiting
    if (!this.#turnScheduled) {
      // A run of writes starts here, and the event loop was free until now: the budget counts
      // from this write. (Counting from the last turn seen, perhaps long ago, made the second
      // of two writers issued together wait a turn, so that they never shared a group.)
      this.#turnScheduled = true
      this.#lastTurn = performance.now()
      setImmediate(() => {
        this.#turnScheduled = false
        this.#lastTurn = performance.now()
      })
    } else if (performance.now() - this.#lastTurn > TURN_BUDGET_MS) {
      setImmediate(() => {
        for (const run of this.#waiting) this.#queue.push(run)
        this.#waiting = []
        this.#drain()
      })
      return this.#waiting
    }
    return this.#queue
  }

  #refusal (): Error {
    return ioError('Writes are disabled after an earlier I/O failure; reopen the database', this.#failure)
  }

  // Queues a task behind those already waiting, and starts the queue if it is idle.
  #enqueue (task: PendingRotation | PendingSync): void {
    this.#queue.push(task)
    this.#drain()
  }

  #drain (): void {
    // With nothing queued, the loop below would end before #draining is even set.
    if (this.#draining !== null || this.#queue.length === 0) return
    this.#draining = (async () => {
      try {
        // The queue holds runs and tasks, not single writes: it stays short, and shift is cheap.
        for (let task = this.#queue.shift(); task !== undefined; task = this.#queue.shift()) {
          try {
            if (task.kind === 'write') await this.#commitGroup(task)
            else await (task.kind === 'rotate' ? this.#rotate(task) : this.#syncLog(task))
          } catch (err) {
            // A task that throws (an index the version cannot be read from, say) fails alone: the
            // tasks after it still run, and close() is not left waiting on a rejected drain.
            task.reject(err instanceof Error ? err : new Error(String(err)))
          }
        }
      } finally {
        this.#draining = null
      }
    })()
  }

  // Steps 2-4 of the commit protocol for one group.
  // Whether the image being written is so far behind that writers must wait for it.
  #stalled (): boolean {
    const limit = this.options.checkpointBytes
    return this.#imageWriting !== null && limit > 0 && (this.#writer.size >= 2 * limit || this.#overlayFull() || this.#bufferFull())
  }

  // Whether the write buffer reaches overlayBytes, counting the nodes it would make if a reader
  // needed it applied to the tree (estimated: k writes into n entries copy about 2 ln(n/k) + 2
  // nodes each), so that applying it never takes more than the bound on applied writes.
  #bufferFull (): boolean {
    const k = this.#buffer.size
    if (k === 0) return false
    const n = Math.max(this.#live.size, k)
    return k * (2 * Math.log(n / k) + 2) * OVERLAY_NODE_BYTES + this.#buffer.bytes >= this.options.overlayBytes
  }

  // Whether the nodes made since the last capture reach overlayBytes (estimated).
  #overlayFull (): boolean {
    return this.#overlayNodes * OVERLAY_NODE_BYTES >= this.options.overlayBytes
  }

  async #commitGroup (run: WriteRun): Promise<void> {
    const group = run.writes
    // LevelDB's stall: a checkpoint that cannot keep up holds writers, instead of memory growing.
    while (this.#stalled()) await this.#imageWriting?.catch(() => {})
    // The recovered state comes first: db.recovery reports it, and a write must not be undone
    // by an older replayed operation of its key.
    if (this.#applied !== null) await this.#applied
    if (this.#failure !== null) return run.reject(this.#refusal())
    // 2. Number, encode and frame every batch into one buffer (its size summed as writes joined).
    const buf = new Uint8Array(run.bytes)
    const stored: WriteOp[][] = []
    let at = 0
    for (let i = 0; i < group.length; i++) {
      stored.push(encodeRecord(buf, at + FRAME_HEADER_SIZE, this.#seq + 1 + i, group[i].ops))
      this.#writer.seal(buf, at, group[i].size)
      at += WalWriter.frameSize(group[i].size)
    }
    // 3. Append, and sync once for the group if anyone asked for it.
    try {
      await this.#writer.append(buf)
      // Unsynced writes are synced along once they pile up: this bounds the fsync that a
      // checkpoint's rotation (which writers wait for) and a clean close must do.
      if (run.sync || this.#writer.unsyncedBytes >= WAL_BYTES_PER_SYNC) await this.#writer.sync()
    } catch (err) {
      if (this.#writer.failure !== null) this.#failure = this.#writer.failure
      return run.reject(ioError('Write to the write-ahead log failed; nothing was applied', err))
    }
    // 4. Apply in sequence order and publish: into the write buffer (later ones replace earlier
    // ones of their key), or, with a range delete among them or no checkpoints to take the
    // buffer, into the tree.
    if (this.#buffers(stored)) {
      for (const ops of stored) for (const op of ops) this.#buffer.add(op as KeyedOp)
    } else {
      // One edit for the group: its batches share the copied upper levels of the tree. The
      // edit stays open across groups until someone captures the version (captureVersion): a run of
      // writes nobody reads in between changes its own nodes in place instead of copying them.
      if (this.#edit === 0) this.#edit = Tree.newEdit()
      try {
        this.#applyPending(Infinity)
        this.#applyBuffered()
        const made = nodesMade()
        this.#live = this.#live.edit(tree => {
          const live = new LiveState(tree)
          for (const ops of stored) {
            applyOps(live, ops)
            this.#unhashedOps += ops.length
          }
          return live.tree
        }, this.#edit)
        this.#overlayNodes += nodesMade() - made
      } catch (err) {
        // Nothing valid should fail here, but if it does (a stack overflow in a pathologically
        // deep tree, say), nodes of the open edit may already be changed in place: the current
        // version cannot be trusted. The batches are in the log; reopening replays them.
        this.#broken = err instanceof Error ? err : new Error(String(err))
        this.#failure ??= this.#broken
        return run.reject(ioError('Applying a logged batch to the index failed; reopen the database', err))
      }
      if (this.#sinceCapture !== null) this.#sinceCapture.push(...stored)
    }
    this.#seq += group.length
    this.stats.groups++
    this.stats.batches += group.length
    run.resolve()
    this.#tellCommitted()
    this.#maybeCheckpoint()
  }

  // Buffered writes not in the tree: the running checkpoint's and the newer ones.
  #buffered (): number {
    return (this.#frozen?.size ?? 0) + this.#buffer.size
  }

  // Whether a group's batches go to the write buffer (see #commitGroup).
  #buffers (stored: readonly WriteOp[][]): boolean {
    if (this.options.checkpointBytes <= 0) return false
    for (const ops of stored) for (const op of ops) if (op.type === 'clear') return false
    return true
  }

  // Applies the buffered writes to the current version (those a running checkpoint captured, then
  // the newer ones), for readers that need the whole tree. The newer ones are recorded for the
  // checkpoint's end like any write applied after its capture (#rebase).
  #applyBuffered (): void {
    const frozen = this.#frozen
    if (frozen === null && this.#buffer.size === 0) return
    if (this.#edit === 0) this.#edit = Tree.newEdit()
    const made = nodesMade()
    try {
      if (frozen !== null) {
        const ops = frozen.sorted()
        this.#live = this.#live.edit(tree => applyOps(tree, ops), this.#edit)
        this.#unhashedOps += ops.length
        this.#frozen = null
      }
      if (this.#buffer.size > 0) {
        const ops = this.#buffer.take(Infinity)
        this.#live = this.#live.edit(tree => applyOps(tree, ops), this.#edit)
        this.#unhashedOps += ops.length
        if (this.#sinceCapture !== null) this.#sinceCapture.push(ops)
      }
    } catch (err) {
      // As in #commitGroup: nodes of the open edit may be half changed; the log still has it all.
      this.#broken = err instanceof Error ? err : new Error(String(err))
      this.#failure ??= this.#broken
      throw ioError('Applying buffered writes to the index failed; reopen the database', err)
    }
    this.#overlayNodes += nodesMade() - made
  }

  #tellCommitted (): void {
    for (const listener of this.#commitListeners) listener()
  }

  /**
   * Calls `listener` after every commit group (once `seq` counts it) and
   * once when the database closes (then `closed` is true). Returns the
   * function that stops it.
   */
  onCommit (listener: () => void): () => void {
    this.#commitListeners.add(listener)
    return () => { this.#commitListeners.delete(listener) }
  }

  /** True once close() began. */
  get closed (): boolean {
    return this.#closed
  }

  /** Where the log is, for its readers (the change feed reads the segments as they are written). */
  get log (): { fs: FileSystem, directory: string } {
    return { fs: this.fs, directory: this.directory }
  }

  /**
   * The state the newest image holds, with its sequence number, read on
   * demand from the image; null when no image was written yet.
   */
  imageVersion (): { tree: Tree, seq: number } | null {
    if (this.#generation === null || this.#migrate) return null
    return { tree: Tree.fromRoot(this.#generation.newest.topStub(), this.#live.params), seq: this.#snapshotSeq }
  }

  #maybeCheckpoint (): void {
    const limit = this.options.checkpointBytes
    if (limit <= 0 || (this.#writer.size < limit && !this.#overlayFull() && !this.#bufferFull()) || this.#checkpoint !== null || this.#closed) return
    // Its outcome is reported through lastCheckpoint, onCheckpoint and CHECKPOINT-FAILED.
    this.#checkpointNow(true).catch(() => {})
  }

  /** How the last checkpoint since open() went, or null when none ran. */
  get lastCheckpoint (): CheckpointStatus | null {
    return this.#lastCheckpoint
  }

  /**
   * Writes a snapshot of the current state and retires the log it covers.
   * Resolves with what was written (or `null` fields when nothing changed
   * since the last snapshot). Concurrent calls share the running checkpoint,
   * then run again if writes happened meanwhile.
   */
  async checkpoint (): Promise<CheckpointResult> {
    return await this.#checkpointNow(false)
  }

  async #checkpointNow (background: boolean, rotateAtOnce = false): Promise<CheckpointResult> {
    while (this.#checkpoint !== null) await this.#checkpoint.catch(() => {})
    const run = this.#checkpointAndReport(background, rotateAtOnce)
    this.#checkpoint = run
    try {
      return await run
    } finally {
      this.#checkpoint = null
    }
  }

  // Runs a checkpoint and reports its outcome; the record on disk is done before close() can
  // release the lock (close waits for #checkpoint).
  async #checkpointAndReport (background: boolean, rotateAtOnce: boolean): Promise<CheckpointResult> {
    let result: CheckpointResult
    try {
      if (this.#failure !== null) throw this.#refusal()
      result = await this.#runCheckpoint(rotateAtOnce)
    } catch (err) {
      const failure: CheckpointFailure = {
        ok: false,
        time: Date.now(),
        background,
        error: err instanceof Error ? err : new Error(String(err)),
        snapshotSeq: this.#snapshotSeq,
        seq: this.#seq,
        writesDisabled: this.#failure !== null
      }
      await recordCheckpointFailure(this.fs, this.directory, failure)
      this.#failureRecorded = true
      this.#report(failure)
      throw err
    }
    if (this.#failureRecorded) {
      await clearCheckpointFailure(this.fs, this.directory)
      this.#failureRecorded = false
    }
    this.#report({ ok: true, time: Date.now(), background, result })
    return result
  }

  #report (status: CheckpointStatus): void {
    this.#lastCheckpoint = status
    try {
      this.onCheckpoint(status)
    } catch (err) {
      // A listener's error is the listener's, thrown as from any event listener: the
      // checkpoint's outcome stands.
      queueMicrotask(() => { throw err })
    }
  }

  async #runCheckpoint (rotateAtOnce = false): Promise<CheckpointResult> {
    if (this.#applied !== null) await this.#applied
    // The rotation holds writers while it syncs the old segment, which may lack up to
    // WAL_BYTES_PER_SYNC. Most of that sync is done first, as a task of its own: writers that
    // queue meanwhile commit between the two waits, instead of waiting for both in a row.
    // (Not for the checkpoint of the recovered state, whose rotation goes before any write.)
    if (!rotateAtOnce) await new Promise<void>((resolve, reject) => this.#enqueue({ kind: 'sync', resolve, reject }))
    const base = this.#migrate || needsBase(this.#generation, this.options.mergeRatio)
    const captured = await new Promise<Captured | null>((resolve, reject) =>
      this.#enqueue({ kind: 'rotate', resolve, reject }))
    if (captured === null) return { seq: this.#snapshotSeq, file: null, bytes: 0, entries: this.#live.size, removed: [] }
    try {
      const writing = writeCheckpoint(this.#watched, this.directory, this.identityBytes, captured, this.#generation, this.#cache, base, this.options.retention)
      this.#imageWriting = writing
      const outcome = await writing
      this.#frozen = null
      if (this.#recovering !== null && this.#recovering.seq === captured.seq) {
        this.#recoveredFigures ??= { root: toHex(outcome.generation.newest.header.root), entries: outcome.result.entries }
        this.#recovering = null
      }
      if (outcome.rebased) this.#rebase(outcome.generation, base)
      else this.#live = Tree.fromRoot(detachWritten(this.#live.top), this.#live.params)
      this.#generation = outcome.generation
      this.#migrate = false
      this.#snapshotSeq = captured.seq
      return outcome.result
    } catch (err) {
      this.#unfreeze()
      throw hasCode(err, 'LEVEL_IO_ERROR') || hasCode(err, 'LEVEL_CORRUPTION') ? err : ioError('Checkpoint failed; the log still holds everything', err)
    } finally {
      this.#sinceCapture = null
      this.#imageWriting = null
    }
  }

  // After a checkpoint that failed: the buffer it captured is buffered again, under the newer writes.
  #unfreeze (): void {
    const frozen = this.#frozen
    if (frozen === null) return
    const merged = new PendingOps()
    for (const op of frozen.sorted()) merged.add(op)
    for (const op of this.#buffer.take(Infinity)) merged.add(op)
    this.#buffer = merged
    this.#frozen = null
  }

  // After a new base, or an image that applied buffered writes: the current version is the new
  // image's tree with the batches applied to the tree since the capture applied again, so that
  // nothing reaches the files a base replaces, nor holds in memory what the image holds. The
  // write buffer stays as it is. Synchronous: no batch commits meanwhile. With `retire`, the
  // replaced files stay open for versions captured before.
  #rebase (generation: Generation, retire: boolean): void {
    const batches = this.#sinceCapture ?? []
    const top = generation.newest.topStub()
    let tree = Tree.fromRoot(top, this.#live.params)
    if (batches.length > 0) {
      tree = tree.edit(start => {
        const live = new LiveState(start)
        for (const ops of batches) applyOps(live, ops)
        return live.tree
      })
    }
    this.#live = tree
    this.#edit = 0
    if (this.#generation !== null && retire) this.#retired.retire(this.#generation)
  }

  // Between groups: make the current segment durable (a sync of the log, queued like a group).
  async #syncLog (task: PendingSync): Promise<void> {
    if (this.#failure !== null) return task.reject(this.#refusal())
    try {
      await this.#writer.sync()
    } catch (err) {
      // A failed sync always disables the writer (wal/writer.ts), and so the engine.
      this.#failure = this.#writer.failure
      return task.reject(ioError('Sync of the write-ahead log failed; writes are disabled until reopened', err))
    }
    task.resolve()
  }

  // Between groups: make the current segment durable, start the next one, capture the tree.
  async #rotate (task: PendingRotation): Promise<void> {
    if (this.#failure !== null) return task.reject(this.#refusal())
    if (this.#seq === this.#snapshotSeq && !this.#migrate) return task.resolve(null)
    const old = this.#writer
    const number = old.header.segment + 1
    try {
      // The old segment must be durable before anything lands in the new one:
      // otherwise a power loss could keep the new segment and lose the old tail (a gap).
      // Its zeros written ahead go too: only the last segment may end in unused space.
      await old.finish()
      // The plain file system, as for the segment recovery opens: the writer records a failed
      // sync itself and the engine takes it over (commit, #syncLog, here), so its appends need
      // no wrapper on the commit path.
      this.#writer = await WalWriter.create(this.fs, join(this.directory, segmentName(number)), {
        identity: this.identityBytes, segment: number, firstSeq: this.#seq + 1, salt: newSegmentSalt()
      })
      await this.#watched.syncDirectory(this.directory)
    } catch (err) {
      // The directory may now hold a segment we cannot vouch for: stop writing until reopened.
      this.#failure = err instanceof Error ? err : new Error(String(err))
      return task.reject(ioError('Log rotation failed; writes are disabled until reopened', err))
    }
    await old.close().catch(() => {})
    // The checkpoint may move the current version onto its image (#rebase): what is applied to
    // the tree from now on is recorded for that.
    this.#sinceCapture = []
    // The version is captured as it is; the write buffer is handed to the checkpoint with it.
    this.#assertIndexWhole()
    this.#applyPending(Infinity)
    this.#edit = 0
    const frozen = this.#buffer.size > 0 ? this.#buffer : null
    if (frozen !== null) this.#buffer = new PendingOps()
    this.#frozen = frozen
    if (this.#seq === this.#recoveringSeq && this.#recoveredFigures === null) {
      this.#recovering = { tree: this.#live, ops: frozen ?? new PendingOps(), seq: this.#seq }
    }
    this.#recoveringSeq = -1
    this.#overlayNodes = 0
    task.resolve({ tree: this.#live, ops: frozen === null ? [] : frozen.sorted(), seq: this.#seq, segment: number })
  }

  /**
   * Writes a consistent copy of the current state into `target` (backup.ts).
   * The version is captured now, between commit groups; writes go on while it
   * is written out.
   */
  async backup (target: string): Promise<BackupResult> {
    if (this.#closed) throw levelError('Database is closed', 'LEVEL_DATABASE_NOT_OPEN')
    return await writeBackup(this.fs, this.directory, target, { tree: this.captureVersion(), seq: this.#seq, identity: this.identityBytes })
  }

  // Applies up to `max` pending operations, the next in key order, to the current version.
  // Once none is left, the current version is the recovered state: it is held (the edit closes,
  // as for any captured version) until its root is known.
  #applyPending (max: number): void {
    const pending = this.#pending
    if (pending === null) return
    if (this.#edit === 0) this.#edit = Tree.newEdit()
    const ops = pending.take(max)
    const made = nodesMade()
    try {
      this.#live = this.#live.edit(tree => applyOps(new LiveState(tree), ops).tree, this.#edit)
      this.#overlayNodes += nodesMade() - made
    } catch (err) {
      // As in #commitGroup: nodes of the open edit may be half changed; the log still has it all.
      this.#broken = err instanceof Error ? err : new Error(String(err))
      this.#failure ??= this.#broken
      this.#pending = null
      throw ioError('Applying the replayed log to the index failed; reopen the database', err)
    }
    this.#unhashedOps += ops.length
    if (pending.size === 0) {
      this.#pending = null
      this.#edit = 0
      this.#recovered = this.#live
    }
  }

  // After open: applies the pending operations in slices between other work, then hashes the
  // recovered state for db.recovery, whose root and entries wait for it when read before.
  #settle (report: RecoveryReport): void {
    this.#reportLater(report)
    const applied = (async () => {
      while (this.#pending !== null && !this.#closed && this.#broken === null) {
        await nextTurn()
        this.#applyPending(PENDING_SLICE)
      }
    })().catch(() => {})
    this.#applied = applied
    applied.then(async () => {
      // Settled: commit groups no longer wait a microtask for it.
      this.#applied = null
      const recovered = this.#recovered
      if (recovered === null || this.#closed) return
      const root = await recovered.rootAsync()
      this.#recoveredFigures ??= { root: toHex(root), entries: recovered.size }
      this.#recovered = null
    }).catch(() => {})
  }

  // Whether the log replayed at open is one that a checkpoint is due for anyway (close() would
  // write one, or the automatic ones would): then that checkpoint applies it (#recoverByCheckpoint).
  #recoveryCheckpointDue (): boolean {
    const limit = this.options.checkpointBytes
    return limit > 0 && this.#writer.size >= Math.min(limit, CLOSE_CHECKPOINT_BYTES)
  }

  // After open, when a checkpoint is due: the replayed operations become the write buffer (reads look
  // there first, writes go on at once), and a checkpoint starts whose rotation is queued before
  // any write, so that it captures exactly the recovered state: it applies them while it writes
  // its image, whose root is then the recovered root (#runCheckpoint). Nothing is applied to the
  // tree in memory unless a reader needs the whole tree first.
  #recoverByCheckpoint (report: RecoveryReport, pending: PendingOps): void {
    this.#reportLater(report)
    this.#pending = null
    this.#buffer = pending
    this.#recoveringSeq = this.#seq
    // Its outcome is reported as any background checkpoint's.
    this.#checkpointNow(true, true).catch(() => {})
  }

  // The report's root and entries, once the replayed operations are applied: worked out when read.
  #reportLater (report: RecoveryReport): void {
    Object.defineProperties(report, {
      root: { enumerable: true, get: () => this.recoveredFigures().root },
      entries: { enumerable: true, get: () => this.recoveredFigures().entries }
    })
  }

  /**
   * The root and entry count of the state recovery reached (db.recovery).
   * Known at open unless replayed operations were left pending; then
   * worked out now if the background has not done it yet.
   */
  recoveredFigures (): { root: string, entries: number } {
    if (this.#recoveredFigures === null && this.#recovering !== null) {
      // Asked before the checkpoint that holds the recovered state ended: the state is made here,
      // from what it captured (path copies; the current version is not touched).
      const { tree, ops } = this.#recovering
      const recovered = applyOps(tree, ops.sorted())
      this.#recoveredFigures = { root: toHex(recovered.root()), entries: recovered.size }
      this.#recovering = null
    }
    if (this.#recoveredFigures === null && this.#recoveringSeq >= 0) {
      // Its capture did not happen (the rotation failed, which also stops writes): the current
      // state is still the recovered one.
      const recovered = applyOps(this.#live, this.#buffer.sorted())
      this.#recoveredFigures = { root: toHex(recovered.root()), entries: recovered.size }
    }
    if (this.#recoveredFigures === null) {
      this.#assertIndexWhole()
      this.#applyPending(Infinity)
      const recovered = this.#recovered as Tree
      this.#recoveredFigures = { root: toHex(recovered.root()), entries: recovered.size }
      this.#recovered = null
    }
    return this.#recoveredFigures
  }

  /**
   * Waits for queued writes and a running checkpoint, syncs the log, closes
   * files and releases the lock. Everything is released even when something
   * fails; it then rejects with LEVEL_IO_ERROR, because it cannot promise
   * that every acknowledged write is durable (the final sync failed, or an
   * earlier I/O failure disabled writes) or that the lock file is gone.
   */
  async close (): Promise<void> {
    this.#closed = true
    this.#tellCommitted()
    this.#commitListeners.clear()
    // Writes waiting for a turn of the event loop are committed now, before the log closes.
    for (const run of this.#waiting) this.#queue.push(run)
    this.#waiting = []
    this.#drain()
    while (this.#draining !== null) await this.#draining
    while (this.#checkpoint !== null) await this.#checkpoint.catch(() => {})
    // More than a little log not in an image: written as one now, so that the next open reads
    // only the image's header and that little log. Its failure loses nothing (the log has it).
    if (this.#failure === null && (this.#migrate || this.#writer.size > CLOSE_CHECKPOINT_BYTES)) {
      await this.#checkpointNow(false).catch(() => {})
    }
    // What db.recovery reports is worked out while the files are open (it may read them); after
    // the checkpoints, one of which may have found it.
    try {
      this.recoveredFigures()
    } catch {}
    let problem: Error | null = this.#failure
    try {
      // Writes made with sync: false become durable at a clean close, and the zeros
      // written ahead of the log's frames are cut off.
      if (problem === null) await this.#writer.finish()
    } catch (err) {
      problem = err instanceof Error ? err : new Error(String(err))
    }
    // The data is synced (or known lost): an error closing the descriptor adds nothing.
    await this.#writer.close().catch(() => {})
    await this.#retired.close()
    await this.#generation?.close()
    try {
      await this.lock.release()
    } catch (err) {
      problem ??= err instanceof Error ? err : new Error(String(err))
    }
    if (problem !== null) {
      throw ioError('Closing could not make every acknowledged write durable, or could not release the lock', problem)
    }
  }
}

// The run at the end of `list` that takes a write of `frame` bytes: the last one, unless the
// write would take it past MAX_GROUP_BYTES (a write alone in its run may be larger).
function openRun (list: Task[], frame: number): WriteRun {
  const last = list[list.length - 1]
  if (last !== undefined && last.kind === 'write' && last.bytes + frame <= MAX_GROUP_BYTES) return last
  let resolve = (): void => {}
  let reject = (_err: Error): void => {}
  const done = new Promise<void>((_resolve, _reject) => { resolve = _resolve; reject = _reject })
  const run: WriteRun = { kind: 'write', writes: [], bytes: 0, sync: false, done, resolve, reject }
  list.push(run)
  return run
}

async function prepareDirectory (fs: FileSystem, directory: string, createIfMissing: boolean): Promise<void> {
  const stat = await fs.stat(directory)
  if (stat === null) {
    if (!createIfMissing) throw levelError(`Database ${directory} does not exist (createIfMissing is false)`, 'LEVEL_DATABASE_NOT_OPEN')
    await fs.mkdir(directory)
    return
  }
  if (!stat.isDirectory) throw ioError(`Location ${directory} exists and is not a directory`)
}
