/**
 * MerkleLevel: the abstract-level adapter. Each private method hands its
 * work to the engine (lib/store) or reads the current tree version; the
 * public methods inherited from abstract-level validate, encode and defer.
 */
import { AbstractLevel } from 'abstract-level'
import type { AbstractSnapshot } from 'abstract-level'
import type { AbstractDatabaseOptions } from 'abstract-level'
import { levelError } from '../errors'
import { nodeFileSystem } from '../fs/node-file-system'
import { Engine } from '../store/engine'
import type { WriteOp } from '../store/batch-record'
import type { CheckpointResult } from '../store/checkpoint'
import type { CheckpointStatus } from '../store/checkpoint-status'
import type { BackupResult } from '../store/backup'
import { assertEngineOptions } from '../store/options'
import type { CacheStats, EngineOptions, RecoveryReport } from '../store/options'
import type { Tree } from '../tree/tree'
import { destroyDatabase } from '../store/destroy'
import { assertSaltOption } from '../store/salt'
import { checkTree } from '../tree/check'
import type { CheckReport } from '../tree/check'
import { diskUsage } from '../store/disk-usage'
import type { DiskUsage } from '../store/disk-usage'
import type { TreeParams } from '../tree/params'
import { proveKey, proveRange } from '../tree/prove'
import { proveChange } from '../tree/prove-change'
import type { ProvenChange } from '../tree/prove-change'
import type { KeyProof, RangeProof } from '../tree/proof'
import { changeOps, proofKey, proofRange } from './proofs'
import type { ChangeOperation, ProveChangeOptions, ProveOptions, ProveRangeOptions } from './proofs'
import { MerkleIterator } from './iterator'
import { ChangeIterator, checkedChangesOptions } from './changes'
import type { ChangesHost, ChangesOptions, Decoder } from './changes'
import { ChangeFeed } from '../store/change-feed'
import { DiffIterator } from './diff'
import type { DiffHost, DiffOptions } from './diff'
import type { Decoder as ValueDecoder } from './changes'
import { MerkleSnapshot } from './snapshot'
import { installBatchOptionsPath } from './batch-options'
import { boundBytes, fromMaybeBytes, toBytes } from './formats'
import type { Encoded } from './formats'
// Adds the `sync` option to abstract-level's write option types (a module augmentation).
import './write-options'
import type {
  PrivateBatchOperation, PrivateGetOptions, PrivateIteratorOptions, PrivateOpenOptions, PrivateRangeOptions,
  PrivateReadOptions, PrivateWriteOptions
} from './private-api'

/** The manifest abstract-level's constructor takes, as its typings declare it. */
type Manifest = ConstructorParameters<typeof AbstractLevel>[0]

/**
 * What MerkleLevel supports. `getSync` is a manifest field of abstract-level
 * that the manifest's typings (level-supports' IManifest) do not list yet.
 */
const MANIFEST: Manifest & { getSync: boolean } = {
  // Every format abstract-level has: an encoding of any of them reaches the engine untranscoded.
  encodings: { buffer: true, view: true, utf8: true },
  seek: true,
  explicitSnapshots: true,
  implicitSnapshots: true,
  permanence: true,
  createIfMissing: true,
  errorIfExists: true,
  has: true,
  getSync: true,
  // Reads are synchronous lookups in memory: nothing to abort.
  signals: { iterators: false },
  // Besides abstract-level's own (it adds them): a checkpoint failed (db.lastCheckpoint).
  events: { 'checkpoint-failed': true },
  additionalMethods: { root: true, checkpoint: true, backup: true, prove: true, proveRange: true, proveChange: true, check: true, changes: true, diff: true, diskUsage: true }
}

/** The outcome of the last {@link MerkleLevel.check}. */
export interface LastCheck {
  /** When it ended, in ms since 1970. */
  time: number
  /** True when it checked a snapshot rather than the current state. */
  snapshot: boolean
  report: CheckReport
}

/** Options of the MerkleLevel constructor: abstract-level's plus the engine's. */
export interface MerkleLevelOptions<K, V> extends AbstractDatabaseOptions<K, V>, EngineOptions {}

/** Options of {@link MerkleLevel.root}. */
export interface RootOptions {
  /** A snapshot from `db.snapshot()`: the root of that version. */
  snapshot?: AbstractSnapshot
}

/**
 * A durable abstract-level database with a Merkle root over its contents.
 * `new MerkleLevel(location, options)` opens (or creates) the database in the
 * directory `location`.
 */
export class MerkleLevel<KDefault = string, VDefault = string> extends AbstractLevel<Encoded, KDefault, VDefault> {
  readonly #location: string
  #lastCheck: LastCheck | null = null
  readonly #engineOptions: EngineOptions
  #engine: Engine | null = null

  constructor (location: string, options?: MerkleLevelOptions<KDefault, VDefault>) {
    if (typeof location !== 'string' || location === '') {
      throw new TypeError("The first argument 'location' must be a non-empty string")
    }
    const { fs, sync, checkpointBytes, overlayBytes, recovery, salt, cacheBytes, mergeRatio, retainLogBytes, retainLogMs, ...forward } = options ?? {}
    assertSaltOption(salt)
    const engineOptions = { fs: fs ?? nodeFileSystem, sync, checkpointBytes, overlayBytes, recovery, salt, cacheBytes, mergeRatio, retainLogBytes, retainLogMs }
    assertEngineOptions(engineOptions)
    super(MANIFEST, forward)
    this.#location = location
    this.#engineOptions = engineOptions
  }

  /** The directory of the database. */
  get location (): string {
    return this.#location
  }

  /** What the last open() did: snapshot loaded, records replayed, bytes truncated, files removed, time taken. */
  get recovery (): RecoveryReport | null {
    return this.#engine?.recovery ?? null
  }

  /** What the cache of image files (`cacheBytes`) holds, and its hits, misses and block reads since open(). */
  get cache (): CacheStats {
    return this.#open().cache
  }

  #open (): Engine {
    if (this.#engine === null) throw levelError('Database is not open', 'LEVEL_DATABASE_NOT_OPEN')
    return this.#engine
  }

  /**
   * How the last checkpoint since open() went, background or not: when it
   * ended, and its result, or its error and what was kept (the previous
   * snapshot and the whole log). Null before the first one, and while the
   * database is not open. A failure is also emitted as `checkpoint-failed`
   * and recorded in the directory for `merkle-level info`.
   */
  get lastCheckpoint (): CheckpointStatus | null {
    return this.#engine?.lastCheckpoint ?? null
  }

  async _open (options: PrivateOpenOptions): Promise<void> {
    this.#lastCheck = null
    this.#engine = await Engine.open(this.#location, { ...this.#engineOptions, ...options }, status => {
      if (!status.ok) this.emit('checkpoint-failed', status)
    })
  }

  async _close (): Promise<void> {
    const engine = this.#engine
    if (engine === null) return
    // The engine releases everything even when closing fails (and says so):
    // forget it either way, so that calling close() again completes.
    this.#engine = null
    await engine.close()
  }

  // Point reads of the current version go to the engine (its write buffer, then its tree); of a snapshot, to its tree.

  async _get (key: Encoded, options: PrivateGetOptions): Promise<Encoded | undefined> {
    return this._getSync(key, options)
  }

  _getSync (key: Encoded, options: PrivateGetOptions): Encoded | undefined {
    const snapshot = snapshotOf(options)
    const bytes = toBytes(key)
    return fromMaybeBytes(snapshot === null ? this.#open().get(bytes) : snapshot.tree.get(bytes), options.valueEncoding)
  }

  async _getMany (keys: Encoded[], options: PrivateGetOptions): Promise<Array<Encoded | undefined>> {
    const snapshot = snapshotOf(options)
    const format = options.valueEncoding
    if (snapshot !== null) return snapshot.tree.getMany(keys.map(toBytes)).map(value => fromMaybeBytes(value, format))
    const engine = this.#open()
    return keys.map(key => fromMaybeBytes(engine.get(toBytes(key)), format))
  }

  async _has (key: Encoded, options: PrivateReadOptions): Promise<boolean> {
    const snapshot = snapshotOf(options)
    const bytes = toBytes(key)
    return snapshot === null ? this.#open().has(bytes) : snapshot.tree.has(bytes)
  }

  async _hasMany (keys: Encoded[], options: PrivateReadOptions): Promise<boolean[]> {
    const snapshot = snapshotOf(options)
    if (snapshot !== null) return snapshot.tree.hasMany(keys.map(toBytes))
    const engine = this.#open()
    return keys.map(key => engine.has(toBytes(key)))
  }

  // The writes hand over the engine's promise as it is (abstract-level awaits it): a write
  // queued behind others costs no promise or async frame of ours.

  _put (key: Encoded, value: Encoded, options: PrivateWriteOptions): Promise<void> {
    return this.#write([{ type: 'put', key: toBytes(key), value: toBytes(value) }], options)
  }

  _del (key: Encoded, options: PrivateWriteOptions): Promise<void> {
    return this.#write([{ type: 'del', key: toBytes(key) }], options)
  }

  _batch (operations: PrivateBatchOperation[], options: PrivateWriteOptions): Promise<void> {
    // abstract-level's private operations are its own copies and already have the shape of
    // WriteOp (a put carries its value): turn strings to bytes in place and hand them over,
    // rather than copy a thousand objects per batch.
    for (const op of operations) {
      if (typeof op.key === 'string') op.key = toBytes(op.key)
      if (typeof op.value === 'string') op.value = toBytes(op.value)
    }
    return this.#write(operations as WriteOp[], options)
  }

  async _clear (options: PrivateRangeOptions): Promise<void> {
    const { limit, reverse } = options
    if (options.snapshot !== undefined && options.snapshot !== null) {
      // Clear what the snapshot sees in the range: its keys, deleted from the current state.
      const keys: WriteOp[] = []
      const it = new MerkleIterator(this, (options.snapshot as MerkleSnapshot).tree, {
        ...options, keys: true, values: false, keyEncoding: 'view', valueEncoding: 'view'
      })
      for (const [key] of await it._all()) keys.push({ type: 'del', key: key as Uint8Array })
      if (keys.length > 0) await this.#write(keys, {})
      return
    }
    const range = { gt: boundBytes(options.gt), gte: boundBytes(options.gte), lt: boundBytes(options.lt), lte: boundBytes(options.lte), limit, reverse }
    await this.#write([{ type: 'clear', range }], {})
  }

  #write (ops: WriteOp[], options: PrivateWriteOptions): Promise<void> {
    const engine = this.#engine
    if (engine === null) return Promise.reject(levelError('Database is not open', 'LEVEL_DATABASE_NOT_OPEN'))
    return engine.write(ops, typeof options.sync === 'boolean' ? options.sync : engine.defaultSync)
  }

  _iterator (options: PrivateIteratorOptions): MerkleIterator {
    return new MerkleIterator(this, snapshotOf(options)?.tree ?? this.#open().captureVersion(), options)
  }

  _snapshot (options: object): MerkleSnapshot {
    const engine = this.#open()
    // The version and its sequence number together: no await between them.
    return new MerkleSnapshot(engine.captureVersion(), this, options, engine.seq)
  }

  /**
   * The 32-byte Merkle root of the current state, or of `options.snapshot`.
   * It depends only on the contents (docs/MERKLE.md).
   */
  async root (options?: RootOptions): Promise<Uint8Array> {
    if (this.status === 'opening') return await this.deferAsync(async () => await this.root(options))
    // A copy: the tree keeps its root cached, and a caller may change the array it gets.
    if (this.#snapshotOption(options) !== null) return (await this.#withVersion(options, tree => tree.root())).slice()
    return (await this.#open().root()).slice()
  }

  /**
   * A proof that `key` holds its value, or is absent, in the current state or
   * `options.snapshot`. The key goes through the key encoding (and, with
   * `options.sublevel`, that sublevel's encoding and prefix). Verify it with
   * `verifyProof(root, proof)` from merkle-level/verify; `encodeProof` and
   * `proofToJson` give its binary and JSON forms.
   */
  async prove (key: unknown, options?: ProveOptions): Promise<KeyProof> {
    if (this.status === 'opening') return await this.deferAsync(async () => await this.prove(key, options))
    const bytes = proofKey(this as never, key, options)
    return await this.#withVersion(options, tree => proveKey(tree, bytes))
  }

  /**
   * A proof of every entry of a range (`gt`/`gte`/`lt`/`lte`, `limit`,
   * `reverse`, as iterators take them): nothing omitted, nothing added.
   * Verify it with `verifyRangeProof(root, proof)`.
   */
  async proveRange (range?: ProveRangeOptions, options?: ProveOptions): Promise<RangeProof> {
    if (this.status === 'opening') return await this.deferAsync(async () => await this.proveRange(range, options))
    const query = proofRange(this as never, range, options)
    return await this.#withVersion(options, tree => proveRange(tree, query))
  }

  /**
   * A proof that applying `operations` (puts and dels, encoded as batch()
   * encodes them, applied in order) to the current state, or to
   * `options.snapshot`, gives the state with root `to`. The database is not
   * changed: the operations are applied to a copy of that version. Resolves
   * with `{ proof, from, to }`; verify with `verifyChangeProof(proof, { from, to })`.
   */
  async proveChange (operations: ChangeOperation[], options?: ProveChangeOptions): Promise<ProvenChange> {
    if (this.status === 'opening') return await this.deferAsync(async () => await this.proveChange(operations, options))
    const ops = changeOps(this as never, operations, options)
    return await this.#withVersion(options, tree => proveChange(tree, ops))
  }

  /**
   * A full integrity scan of the current state (or `options.snapshot`):
   * search-tree and heap order, subtree sizes, every cached hash and the root
   * recomputed, every node of the image files read and checked on the way.
   * Resolves with a report; `ok` is false when
   * anything is wrong.
   */
  async check (options?: RootOptions): Promise<CheckReport> {
    if (this.status === 'opening') return await this.deferAsync(async () => await this.check(options))
    const snapshot = this.#snapshotOption(options) !== null
    const report = await this.#withVersion(options, checkTree)
    this.#lastCheck = { time: Date.now(), snapshot, report }
    return report
  }

  /**
   * The last `check()` since open(), of the current state or a snapshot:
   * when it ended (ms since 1970) and its report; null before the first.
   */
  get lastCheck (): LastCheck | null {
    return this.#lastCheck
  }

  /** What the database's own files take on disk now: the log, the images, in all. */
  async diskUsage (): Promise<DiskUsage> {
    if (this.status === 'opening') return await this.deferAsync(async () => await this.diskUsage())
    const { fs, directory } = this.#open().log
    return await diskUsage(fs, directory)
  }

  /** The public parameters of the root (the salt); null while the database is not open. */
  get treeParams (): TreeParams | null {
    const params = this.#engine?.params
    return params === undefined ? null : { salt: params.salt.slice() }
  }

  // Runs `work` on the version of `options.snapshot` (held open meanwhile) or the current one, hashed first.
  // The current one is hashed through the engine's root(), which hashes one version at a time: a
  // proof asked for while a root() hashes in slices waits for it instead of hashing the same nodes.
  async #withVersion<T> (options: RootOptions | undefined, work: (tree: Tree) => T | Promise<T>): Promise<T> {
    const snapshot = this.#snapshotOption(options)
    if (snapshot === null) {
      const engine = this.#open()
      await engine.root()
      return await this.#hashedThen(engine.captureVersion(), work)
    }
    snapshot.ref()
    try {
      return await this.#hashedThen(snapshot.tree, work)
    } finally {
      snapshot.unref()
    }
  }

  // The `snapshot` option of root(), prove(), proveRange() and check(): null when absent, else a
  // snapshot of this database (any other value is refused with LEVEL_INVALID_VALUE).
  #snapshotOption (options: RootOptions | undefined, name = 'The snapshot option'): MerkleSnapshot | null {
    const snapshot = options?.snapshot
    if (snapshot === undefined || snapshot === null) return null
    if (!(snapshot instanceof MerkleSnapshot) || snapshot.owner !== this) {
      throw levelError(`${name} must be a snapshot of this database, from db.snapshot()`, 'LEVEL_INVALID_VALUE')
    }
    return snapshot
  }

  // Writes made while the engine hashed are hashed here (nothing is left to hash otherwise).
  async #hashedThen<T> (tree: Tree, work: (tree: Tree) => T | Promise<T>): Promise<T> {
    await tree.rootAsync()
    return await work(tree)
  }

  /** Writes a snapshot file of the current state now and retires the log it covers. */
  async checkpoint (): Promise<CheckpointResult> {
    if (this.status === 'opening') return await this.deferAsync(async () => await this.checkpoint())
    return await this.#open().checkpoint()
  }

  /**
   * Writes a consistent copy of the current state into the directory
   * `location` (which must not exist or be empty) while writes continue. The
   * copy is a database of its own: it opens with the same root.
   */
  async backup (location: string): Promise<BackupResult> {
    if (this.status === 'opening') return await this.deferAsync(async () => await this.backup(location))
    if (typeof location !== 'string' || location === '') {
      throw levelError("The first argument 'location' must be a non-empty string", 'LEVEL_INVALID_VALUE')
    }
    return await this.#open().backup(location)
  }

  /**
   * The committed batches after `options.since` (a sequence number; 0, the
   * default: from the first batch the log still holds), in order, as an
   * async iterator of `{ seq, ops, root }`: the operations as stored (keys
   * and values as the stored bytes, through sublevels too, unless
   * `keyEncoding`/`valueEncoding` say otherwise) and the Merkle root after
   * the batch (null for a batch whose prior state is in no file: README,
   * "Change feed"). It ends after the last batch committed when it started,
   * or with `live: true` follows new commits until `return()` (a `break`).
   * Closing the database makes a pending or later `next()` reject with
   * LEVEL_DATABASE_NOT_OPEN. A `since` the log no longer holds (see the
   * options `retainLogBytes` and `retainLogMs`) rejects with
   * LEVEL_CHANGES_GONE: read the state anew. A `since` after the last batch
   * committed rejects with LEVEL_INVALID_VALUE.
   */
  changes<K = Uint8Array, V = Uint8Array> (options?: ChangesOptions): ChangeIterator<K, V> {
    const feedOptions = checkedChangesOptions(options)
    const keys = this.keyEncoding((options?.keyEncoding ?? 'view') as 'view') as unknown as Decoder
    const values = this.valueEncoding((options?.valueEncoding ?? 'view') as 'view') as unknown as Decoder
    const host: ChangesHost = {
      get status () { return db.status },
      deferAsync: async fn => await this.deferAsync(fn),
      attachResource: resource => this.attachResource(resource),
      detachResource: resource => this.detachResource(resource),
      openFeed: () => new ChangeFeed(this.#open(), feedOptions)
    }
    const db = this
    return new ChangeIterator<K, V>(host, keys, values)
  }

  /**
   * The entries in which the version `other` (a snapshot from `db.snapshot()`,
   * or null for the current state) and the current state, or
   * `options.snapshot`, differ: an async iterator of `{ key, before, after }`
   * in ascending key order, `before` the value in `other` and `after` the
   * value in the version compared (undefined where the key is absent).
   * Subtrees whose Merkle hashes are equal are skipped unread, so d
   * differences cost about d · log n nodes read (docs/MERKLE.md, "Diff").
   * `gt`/`gte`/`lt`/`lte` bound the keys; with `options.sublevel` only that
   * sublevel's keys are compared, and given without its prefix. The current
   * state is captured when iteration starts.
   */
  diff<K = KDefault, V = VDefault> (other: AbstractSnapshot | null, options?: DiffOptions<K>): DiffIterator<K, V> {
    const before = this.#snapshotOption({ snapshot: other ?? undefined }, "The first argument 'other'")
    const after = this.#snapshotOption(options)
    const range = proofRange(this as never, options, options)
    const owner = (options?.sublevel ?? this) as unknown as AbstractLevel<Encoded>
    const decoder = (of: 'keyEncoding' | 'valueEncoding'): ValueDecoder => (owner[of] as (name?: unknown) => ValueDecoder)(options?.[of])
    const prefixLength = options?.sublevel === undefined ? 0 : (owner as unknown as { prefixKey: (key: Uint8Array, format: 'view', local: boolean) => Uint8Array }).prefixKey(new Uint8Array(0), 'view', false).length
    const host: DiffHost = {
      get status () { return db.status },
      deferAsync: async fn => await this.deferAsync(fn),
      attachResource: resource => this.attachResource(resource),
      detachResource: resource => this.detachResource(resource),
      hashedVersion: async snapshot => await this.#hashedVersion(snapshot as MerkleSnapshot | null)
    }
    const db = this
    return new DiffIterator<K, V>(host, before, after, { range, keys: decoder('keyEncoding'), values: decoder('valueEncoding'), prefixLength })
  }

  // A version hashed, as #withVersion hashes it, for a caller that holds the snapshot itself.
  async #hashedVersion (snapshot: MerkleSnapshot | null): Promise<Tree> {
    if (snapshot !== null) {
      await snapshot.tree.rootAsync()
      return snapshot.tree
    }
    const engine = this.#open()
    await engine.root()
    const tree = engine.captureVersion()
    await tree.rootAsync()
    return tree
  }

  /** Deletes the database in `location` (refused with LEVEL_LOCKED while it is open). */
  static async destroy (location: string): Promise<void> {
    await destroyDatabase(nodeFileSystem, location)
  }
}

installBatchOptionsPath(MerkleLevel.prototype)

// The explicit snapshot a read asked for, or null for the current version.
function snapshotOf (options: PrivateReadOptions | undefined): MerkleSnapshot | null {
  const snapshot = options?.snapshot
  return snapshot === undefined || snapshot === null ? null : snapshot as MerkleSnapshot
}
