/**
 * A change feed: the committed batches after a given sequence number, in
 * order, each with the Merkle root after it; read from the log
 * (change-log.ts), then, when live, following commits as they happen.
 *
 * Roots. The log holds operations, not roots, and a root after batch k needs
 * the state after batch k. The feed keeps a tree version of its own and
 * applies each batch it reads to it, hashing after each one: the cost of
 * applying the batch again and hashing the paths it changed (about what the
 * write cost; `roots: false` skips it). It starts from a state it can have
 * at or before `since` without reading the log backwards: the current
 * version captured when the feed was made (when `since` is that batch), the
 * newest image's state, or the empty state when the log still holds batch 1;
 * it applies the batches up to `since` without hashing. When none is at or
 * before `since` (`since` is older than the newest image, and the log from
 * batch 1 is gone), it starts from the version captured when it was made:
 * the batches up to it come with root null (their states are in no file),
 * that batch with its root, and every batch after with its root.
 */
import { hasCode, levelError } from '../errors'
import { Tree } from '../tree/tree'
import { applyOps } from './batch-record'
import type { WriteOp } from './batch-record'
import { LiveState } from './live-state'
import { LogReader } from './change-log'
import type { Engine } from './engine'
import { proveBatch } from './feed-proof'
import type { ChangeProof } from '../tree/change-proof'

/** One committed batch of a change feed. */
export interface Change {
  /** Its sequence number. */
  seq: number
  /** Its operations as stored: keys and values are views of bytes read from the log. */
  ops: WriteOp[]
  /** The Merkle root after it; null when the state before it is in no file (see the file header). */
  root: Uint8Array | null
  /**
   * With the `proofs` option: the change proof from the root before the batch
   * to `root` (feed-proof.ts); null when the feed does not hold the state
   * before it (the batches up to the first with a root after `since`).
   */
  proof?: ChangeProof | null
}

/** Options of a {@link ChangeFeed}. */
export interface ChangeFeedOptions {
  /** The batch after which the feed starts (0: from the first batch). */
  since: number
  /** Follow commits after the last one, until stopped or closed. */
  live: boolean
  /** Compute the root after each batch; false: every root is null, and the log is only read. */
  roots: boolean
  /** With `roots`: a change proof with each batch whose prior state the feed holds (default false). */
  proofs?: boolean
}

/** A change feed over the log of one open engine (see the file header). */
export class ChangeFeed {
  #reader: LogReader | null = null
  #tree: Tree | null = null
  // The sequence number of the state #tree holds.
  #treeSeq = 0
  readonly #edit = Tree.newEdit()
  #batches: Array<{ seq: number, ops: WriteOp[] }> = []
  // The current version and its sequence number when the feed was made: not live, it ends there.
  // Its tree is let go once the feed started: a version kept would keep every node it reaches.
  #made: { tree: Tree | null, seq: number }
  // The log opened when the feed was made, if it was (see the constructor).
  #early: Promise<LogReader> | null = null
  #stop: (() => void) | null = null
  #wake: (() => void) | null = null
  #state: 'new' | 'reading' | 'ended' | 'closed' = 'new'
  // One next() at a time: each waits for the one before.
  #turn: Promise<unknown> = Promise.resolve()

  /** A feed of `engine`'s log; the current version is captured now (no await between its making and this). */
  constructor (private readonly engine: Engine, private readonly options: ChangeFeedOptions) {
    // The sequence number and the version together: no await between them.
    this.#made = { seq: engine.seq, tree: engine.captureVersion() }
    // Starting at the current batch: its segment is opened now, before a checkpoint can retire it.
    if (options.since === this.#made.seq || (!options.roots && options.since <= this.#made.seq)) {
      this.#early = LogReader.open(engine.log.fs, engine.log.directory, options.since + 1)
      // Its failure is the first next()'s to report.
      this.#early.catch(() => {})
    }
  }

  /** The next change; null when the feed ended (not live: after the last batch committed when it was made). */
  async next (): Promise<Change | null> {
    const turn = this.#turn.then(async () => await this.#next(), async () => await this.#next())
    this.#turn = turn
    return await turn
  }

  /** Ends the feed: later calls of next() give null. */
  async end (): Promise<void> {
    if (this.#state !== 'closed') this.#state = 'ended'
    await this.#release()
  }

  /** Closes the feed because the database closes: next() then rejects with LEVEL_DATABASE_NOT_OPEN. */
  async close (): Promise<void> {
    if (this.#state !== 'ended') this.#state = 'closed'
    await this.#release()
  }

  async #release (): Promise<void> {
    this.#stop?.()
    this.#stop = null
    this.#wakeUp()
    const reader = this.#reader ?? (this.#state === 'reading' ? null : await this.#early?.catch(() => null))
    this.#reader = null
    this.#early = null
    await reader?.close()
  }

  #wakeUp (): void {
    const wake = this.#wake
    this.#wake = null
    wake?.()
  }

  #closedError (): Error {
    return levelError('The database closed; the change feed ended', 'LEVEL_DATABASE_NOT_OPEN')
  }

  async #next (): Promise<Change | null> {
    if (this.#state === 'new') await this.#start()
    for (;;) {
      if (this.#state === 'ended') return null
      if (this.#state === 'closed' || this.engine.closed) throw this.#closedError()
      const batch = this.#batches.shift()
      if (batch !== undefined) {
        const change = await this.#apply(batch)
        if (change !== null) return change
        continue
      }
      const reader = this.#reader as LogReader
      const upto = this.options.live ? this.engine.seq : this.#made.seq
      if (reader.next <= upto) {
        try {
          this.#batches = await reader.read(upto)
        } catch (err) {
          // Ended or closed meanwhile: its file was closed under the read.
          if (this.#state === 'reading') throw err
        }
        continue
      }
      if (!this.options.live) return null
      // No await between the check above and here: a commit cannot slip in unseen.
      await new Promise<void>(resolve => { this.#wake = resolve })
    }
  }

  // The change of `batch`, its root computed on the feed's tree; null for a batch up to `since`.
  async #apply (batch: { seq: number, ops: WriteOp[] }): Promise<Change | null> {
    if (!this.options.roots) return { seq: batch.seq, ops: batch.ops, root: null }
    const tree = this.#tree as Tree
    let proof: ChangeProof | null = null
    if (batch.seq > this.#treeSeq) {
      // Proven before the edit below, which may change the nodes of `tree` in place.
      if (this.options.proofs === true && batch.seq > this.options.since && batch.seq === this.#treeSeq + 1) {
        await tree.rootAsync()
        proof = proveBatch(tree, batch.ops)
      }
      this.#tree = tree.edit(start => applyOps(new LiveState(start), batch.ops).tree, this.#edit)
      this.#treeSeq = batch.seq
    }
    if (batch.seq <= this.options.since) return null
    const root = batch.seq === this.#treeSeq ? (await (this.#tree as Tree).rootAsync()).slice() : null
    return this.options.proofs === true ? { seq: batch.seq, ops: batch.ops, root, proof } : { seq: batch.seq, ops: batch.ops, root }
  }

  // Chooses the state to start from (see the file header) and opens the log there.
  async #start (): Promise<void> {
    const { since, live } = this.options
    if (this.engine.closed) throw this.#closedError()
    if (since > this.engine.seq) {
      throw levelError(`No batch ${since} was committed yet (the last is ${this.engine.seq})`, 'LEVEL_INVALID_VALUE')
    }
    const { fs, directory } = this.engine.log
    const image = this.engine.imageVersion()
    let reader: LogReader | null = this.#early === null ? null : await this.#early
    const made = { seq: this.#made.seq, tree: this.#made.tree as Tree }
    this.#made = { seq: made.seq, tree: null }
    if (reader !== null) {
      this.#base(made)
    } else if (since !== this.#made.seq && this.options.roots) {
      if (image !== null && image.seq <= since) {
        reader = await LogReader.open(fs, directory, image.seq + 1)
        this.#base(image)
      } else {
        reader = await LogReader.open(fs, directory, 1).catch((err: unknown) => {
          if (hasCode(err, 'LEVEL_CHANGES_GONE')) return null
          throw err
        })
        if (reader !== null) this.#base({ tree: Tree.empty(this.engine.params), seq: 0 })
      }
    }
    if (reader === null) {
      reader = await LogReader.open(fs, directory, since + 1)
      // The version made with the feed, unless `since` came after it. No await between the two.
      this.#base(made.seq >= since ? made : { seq: this.engine.seq, tree: this.engine.captureVersion() })
    }
    this.#reader = reader
    if (this.#state !== 'new') {
      // Ended or closed while the log was being opened.
      await this.#release()
      return
    }
    this.#state = 'reading'
    if (live) this.#stop = this.engine.onCommit(() => this.#wakeUp())
  }

  #base (state: { tree: Tree, seq: number }): void {
    this.#tree = state.tree
    this.#treeSeq = state.seq
  }
}
