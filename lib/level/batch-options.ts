/**
 * A faster path through abstract-level's batch() for the common call
 * `db.batch(operations, { sync })`.
 *
 * batch() copies the batch's options into every operation with an object
 * spread (`{ ...options, ...operation }`) before handing the operations to
 * _batch(), which is slow when the options object has own properties
 * (docs/PERFORMANCE.md has the figures). The only option merkle-level reads
 * on a batch is `sync`, once for the whole batch. So when `sync` is the only
 * option given, the options are passed on as an object that inherits it:
 * the spread has nothing to copy, and _batch still reads `options.sync`. Any
 * other option (an encoding that applies to every operation, say) goes
 * through as given, so behaviour is unchanged.
 *
 * The method is replaced on the prototype rather than redeclared in the class
 * so that MerkleLevel keeps abstract-level's typings (see write-options.ts).
 * test/level/batch-options.test.ts fails the day abstract-level stops copying
 * the options, when this should go.
 */
import { AbstractLevel } from 'abstract-level'

// True for a plain object whose only own enumerable property, if any, is `sync`.
function onlySync (options: unknown): options is { sync?: boolean } {
  if (typeof options !== 'object' || options === null || Object.getPrototypeOf(options) !== Object.prototype) return false
  for (const name in options) if (name !== 'sync') return false
  return true
}

/** Installs the faster batch() on `prototype` (MerkleLevel's). */
export function installBatchOptionsPath (prototype: object): void {
  const inherited = AbstractLevel.prototype.batch as (this: unknown, ...args: unknown[]) => unknown
  Object.defineProperty(prototype, 'batch', {
    configurable: true,
    writable: true,
    value: function batch (this: unknown, ...args: unknown[]): unknown {
      if (args.length >= 2 && onlySync(args[1])) args[1] = Object.create(args[1])
      return inherited.apply(this, args)
    }
  })
}
