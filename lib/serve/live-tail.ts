/**
 * What the two tails of a served database share (feed-tail.ts, the JSON of
 * the latest batches for `changes`; step-tail.ts, the latest versions for
 * `step`): they follow the live change feed from the state they started at,
 * keep the latest batches within a count and a byte budget, wake the long
 * polls waiting for a batch, and stop after `idleMs` without a reader, when
 * the database closes, or when the handler does.
 */
import type { Change } from '../level/changes'

/** How much a tail keeps. */
export interface TailBudget {
  /** At most this many bytes (of JSON, or of operations). */
  bytes: number
  /** At most this many batches. */
  count: number
  /** Stops after this long without a reader (ms). */
  idleMs: number
}

/** A tail of the live feed (see the file header); `T` is what it keeps of each batch. */
export abstract class LiveTail<T> {
  protected readonly budget: TailBudget
  protected readonly kept: T[] = []
  #bytes = 0
  // The sequence number of the state the first kept batch applies to.
  #after: number
  #stopped = false
  readonly #feed: AsyncIterator<Change<Uint8Array, Uint8Array>>
  readonly #waiters = new Set<() => void>()
  #lastRead = Date.now()
  readonly #idle: NodeJS.Timeout

  /** Starts following `feed`, which begins after batch `after`. */
  constructor (feed: AsyncIterable<Change<Uint8Array, Uint8Array>>, after: number, budget: TailBudget) {
    this.budget = budget
    this.#after = after
    this.#feed = feed[Symbol.asyncIterator]()
    this.#idle = setInterval(() => { if (Date.now() - this.#lastRead > budget.idleMs) void this.stop() }, Math.max(10, Math.min(budget.idleMs, 1000)))
    this.#idle.unref()
    // The first batch is kept after the subclass is made: next() never resolves synchronously.
    void this.#follow()
  }

  /** What is kept of one batch, and its bytes against the budget. */
  protected abstract keep (change: Change<Uint8Array, Uint8Array>): { kept: T, bytes: number }

  /** Called with the first kept batch when the budget drops it (the tail then starts after it). */
  protected dropped (_first: T): void {}

  /** False once stopped: a stopped tail is replaced by a new one. */
  get running (): boolean {
    return !this.#stopped
  }

  /** The sequence number of the state the first kept batch applies to. */
  get after (): number {
    return this.#after
  }

  /** The last batch kept (or the state it started at). */
  get last (): number {
    return this.#after + this.kept.length
  }

  /** Whether reads after `since` are answered here: `since` is not older than the tail (it may be ahead of it). */
  reaches (since: number): boolean {
    return !this.#stopped && since >= this.#after
  }

  /** Notes a reader: a tail read within `idleMs` keeps running. */
  protected touch (): void {
    this.#lastRead = Date.now()
  }

  /** Resolves when a batch after `since` is kept, the tail stops, or `ms` pass. */
  async waitPast (since: number, ms: number): Promise<void> {
    this.touch()
    if (this.last > since || this.#stopped || ms === 0) return
    await new Promise<void>(resolve => {
      const wake = (): void => {
        if (this.last <= since && !this.#stopped) return
        clearTimeout(timer)
        this.#waiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(() => { this.#waiters.delete(wake); resolve() }, ms)
      this.#waiters.add(wake)
    })
  }

  /** Stops following; readers are answered without the tail. */
  async stop (): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    clearInterval(this.#idle)
    for (const wake of [...this.#waiters]) wake()
    await this.#feed.return?.()
  }

  async #follow (): Promise<void> {
    try {
      for (;;) {
        const next = await this.#feed.next()
        if (next.done === true || this.#stopped) break
        this.#push(next.value)
      }
    } catch {
      // The database closed (or failed): the tail ends, and requests are answered without it.
    }
    await this.stop()
  }

  #push (change: Change<Uint8Array, Uint8Array>): void {
    const { kept, bytes } = this.keep(change)
    this.kept.push(kept)
    this.#bytes += bytes
    this.#sizes.push(bytes)
    while (this.kept.length > 1 && (this.#bytes > this.budget.bytes || this.kept.length > this.budget.count)) {
      this.dropped(this.kept.shift() as T)
      this.#bytes -= this.#sizes.shift() as number
      this.#after++
    }
    for (const wake of [...this.#waiters]) wake()
  }

  readonly #sizes: number[] = []
}
