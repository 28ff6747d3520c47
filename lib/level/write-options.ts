/**
 * The options our write methods take on top of abstract-level's. Its typings
 * do not know `sync`, so MerkleLevel declares typed overloads of put, del and
 * batch with these (merkle-level.ts), as classic-level does for its options.
 */
import type { AbstractBatchOptions, AbstractDelOptions, AbstractPutOptions } from 'abstract-level'

/** The durability of one write. */
export interface DurabilityOptions {
  /**
   * true: resolve after the write's log record is fsynced (survives power
   * loss); false: after it reached the operating system (survives a process
   * crash). Default: the database's `sync` option, itself true by default.
   */
  sync?: boolean | undefined
}

/** Options of `db.put()`. */
export interface MerklePutOptions<K, V> extends AbstractPutOptions<K, V>, DurabilityOptions {}

/** Options of `db.del()`. */
export interface MerkleDelOptions<K> extends AbstractDelOptions<K>, DurabilityOptions {}

/** Options of `db.batch(operations, options)`. */
export interface MerkleBatchOptions<K, V> extends AbstractBatchOptions<K, V>, DurabilityOptions {}

/** Options of `chainedBatch.write(options)`. */
export interface MerkleChainedBatchWriteOptions extends DurabilityOptions {}
