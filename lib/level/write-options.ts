/**
 * The option our write methods take on top of abstract-level's: `sync`.
 * abstract-level's typings do not know it, so this module adds it to their
 * write option interfaces (a module augmentation, loaded with our typings),
 * which is how `db.put(k, v, { sync: false })`, `db.batch(ops, { sync })` and
 * `chainedBatch.write({ sync })` type-check. Redeclaring the write methods on
 * MerkleLevel instead would change how TypeScript relates the database and
 * sublevel types, and break code that passes databases to generic helpers
 * such as level-read-stream's `new EntryStream<K, V>(db)`.
 *
 * Programs that import merkle-level see the option on other abstract-level
 * databases too; classic-level honours the same option, others ignore it.
 */

/** The durability of one write. */
export interface DurabilityOptions {
  /**
   * true: resolve after the write's log record is fsynced (survives power
   * loss); false: after it reached the operating system (survives a process
   * crash). Default: the database's `sync` option, itself true by default.
   */
  sync?: boolean | undefined
}

declare module 'abstract-level' {
  /* eslint-disable @typescript-eslint/no-unused-vars -- the parameters must match the augmented declarations */
  interface AbstractPutOptions<K, V> extends DurabilityOptions {}
  interface AbstractDelOptions<K> extends DurabilityOptions {}
  interface AbstractBatchOptions<K, V> extends DurabilityOptions {}
  interface AbstractChainedBatchWriteOptions extends DurabilityOptions {}
}
