/**
 * Long background work (hashing a large tree, streaming a snapshot) gives the
 * event loop a turn now and then, so that concurrent writers, timers and I/O
 * callbacks run meanwhile. An awaited promise alone is not enough: writes up
 * to a megabyte complete synchronously (lib/fs/node-file-system.ts), and
 * their continuations run as microtasks before any other callback.
 */

/** Resolves after the event loop has run the callbacks that were waiting. */
export async function nextTurn (): Promise<void> {
  await new Promise<void>(resolve => setImmediate(resolve))
}

/**
 * Background work of the same order as a writer's fairness turn (engine.ts):
 * long enough that the work is not slowed by constant yielding, short enough
 * that a writer waiting behind it hardly notices.
 */
export const BACKGROUND_SLICE_MS = 8

/** Gives the event loop a turn whenever `sliceMs` of work went by without one. */
export class Pacer {
  #last = performance.now()

  constructor (private readonly sliceMs = BACKGROUND_SLICE_MS) {}

  /** True when the slice is used up: the caller should `await` {@link Pacer.turn}. */
  get due (): boolean {
    return performance.now() - this.#last >= this.sliceMs
  }

  /** Yields to the event loop and starts a new slice. */
  async turn (): Promise<void> {
    await nextTurn()
    this.#last = performance.now()
  }
}
