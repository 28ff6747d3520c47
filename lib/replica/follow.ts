/**
 * `follow(url, location)`: brings the replica to the server's state as
 * `replicate` does, then keeps it current until the signal aborts: it asks
 * for a step from its own state with a long poll (`wait`): one change proof
 * to the server's newest state, for the net change of the batches between
 * (or, where the server does not keep the replica's state, the feed's
 * batches up to the state the server pins, replayed on the replica's own
 * tree: catch-up.ts), verifies it and applies it in one batch
 * (apply-changes.ts), so that the
 * replica moves only from one verified root of the server's history to a
 * later one. What interrupts it:
 *
 *  - a network failure, a server restarting or overloaded (no connection,
 *    a time-out, a cut-off body, a 5xx answer): it waits (backoff, doubling
 *    up to a bound, with jitter) and starts again from `info`;
 *  - a feed that cannot continue from the replica's state (the position is
 *    gone, a batch without proof, a batch too large, a server behind the
 *    replica): it starts again from `info` at once, which copies the
 *    server's state in full where the feed cannot bring the replica to it;
 *  - an answer that fails verification, a refusal of the token, a local
 *    failure (the disk): it stops and rejects, the replica at its last
 *    verified state.
 *
 * The follower holds the replica's lock (lock.ts) and its database open the
 * whole time: no other process can open the replica while it is followed.
 */
import { toHex } from '../bytes'
import { MerkleLevel } from '../level/merkle-level'
import { applyVerified, verifyChanges, verifyStep } from './apply-changes'
import { ReplicationClient } from './client'
import type { ClientOptions, StepPage } from './client'
import { FeedUnusable, replicaError } from './errors'
import type { ReplicaError } from './errors'
import { withReplicaLock } from './lock'
import { bringUpToDate } from './replicate'
import { catchUp } from './catch-up'
import type { ReplicateResult } from './replicate'
import { writeRecord } from './state'
import type { ReplicaPosition } from './state'

/** Options of {@link follow}. */
export interface FollowOptions extends ClientOptions {
  /** How long one long poll of the feed waits for a commit (ms; default 20,000, at most the server's `maxWaitMs`). */
  waitMs?: number
  /** The first wait after a failure (ms; default 100); it doubles with each failure in a row. */
  retryMinMs?: number
  /** The longest wait after a failure (ms; default 10,000). */
  retryMaxMs?: number
  /** Called with each verified state the replica reaches (and holds durably). */
  onState?: (state: FollowState) => void
  /** Called when a failure will be retried, with the error and the wait before the retry (ms). */
  onRetry?: (error: Error, delayMs: number) => void
}

/** A state reached: 'full' by a full copy, 'feed' by the feed, 'current' when a (re)start found it current. */
export type FollowState = ReplicateResult

// Server answers that send the follower back to `info` at once: the feed cannot continue (docs/REPLICATION.md §2).
const RESYNC_CODES = ['LEVEL_CHANGES_GONE', 'REPLICATION_SINCE_AHEAD', 'REPLICATION_RESPONSE_TOO_LARGE']
// Client errors that a server restarting or a network failing cause: waited out.
const TRANSIENT_CODES = ['REPLICA_CONNECTION', 'REPLICA_TIMEOUT', 'REPLICA_BAD_RESPONSE']

/**
 * Keeps the replica in `location` at the server's state until `options.signal`
 * aborts; resolves then with the last state reached (null when none was).
 * See the file comment for what it retries and what stops it.
 */
export async function follow (url: string, location: string, options: FollowOptions = {}): Promise<FollowState | null> {
  const { signal, waitMs = 20_000, retryMinMs = 100, retryMaxMs = 10_000 } = options
  for (const [name, value] of Object.entries({ waitMs, retryMinMs, retryMaxMs })) {
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`The '${name}' option must be a non-negative integer`)
  }
  const client = new ReplicationClient(url, options)
  return await withReplicaLock(location, async () => {
    let last: FollowState | null = null
    const reached = (state: FollowState): void => {
      last = state
      options.onState?.(state)
    }
    // Failures and resyncs in a row, since the last state reached.
    let failures = 0
    let resyncs = 0
    const aborted = (): boolean => signal?.aborted === true
    while (!aborted()) {
      try {
        const start = await bringUpToDate(client, location, undefined, signal)
        reached(start)
        failures = 0
        await track(client, location, start, { ...options, waitMs }, state => {
          failures = resyncs = 0
          reached(state)
        })
      } catch (err) {
        if (aborted()) break
        const resync = err instanceof FeedUnusable || RESYNC_CODES.includes(serverCode(err))
        if (!resync && !isTransient(err)) throw err
        // The first resync goes back at once; a feed that keeps failing is waited out like any failure.
        if (resync && resyncs++ === 0) continue
        const delay = backoff(++failures, retryMinMs, retryMaxMs)
        options.onRetry?.(err as Error, delay)
        await sleep(delay, signal)
      }
    }
    return last
  })
}

// Follows the feed from `from` with the replica's database open, until something throws (the abort included).
async function track (
  client: ReplicationClient, location: string, from: ReplicaPosition, options: FollowOptions & { waitMs: number }, reached: (state: FollowState) => void
): Promise<never> {
  const info = await client.info()
  const wait = Math.min(options.waitMs, info.maxWaitMs, Math.floor((options.timeoutMs ?? 60_000) / 2))
  const db = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  let at = from
  // Whether the record may name a pending state the data is not at (a step failed halfway).
  let unsure = false
  try {
    if (toHex(await db.root()) !== at.root) throw replicaError('REPLICA_BAD_STATE', `The replica in ${location} is no longer at ${at.root}`)
    // Steps (one proof from the replica's state to the newest) while the server keeps the state the
    // replica is at; when it does not, the feed up to the state it pins now (catch-up.ts); with a
    // server that speaks no `step`, pages of changes (a proof per batch).
    let steps = true
    for (;;) {
      if (options.signal?.aborted === true) throw replicaError('REPLICA_ABORTED', 'Replication was aborted')
      const page = steps ? await stepFrom(client, at, info.maxChanges, wait, () => { steps = false }) : null
      if (page !== null && page.last === at.seq) continue
      if (page === null && steps) {
        const now = await client.info()
        if (now.seq <= at.seq) throw replicaError('REPLICA_BAD_RESPONSE', `The server keeps no step after batch ${at.seq}, yet holds no later state`)
        unsure = true
        at = await catchUp(client, now, db, location, at, options.signal)
        unsure = false
        reached({ ...at, how: 'feed' })
        continue
      }
      const changes = page === null ? (await client.changes(at.seq, info.maxChanges, wait)).changes : null
      if (changes !== null && changes.length === 0) continue
      // Verified before anything is written: an answer that fails leaves the record clean.
      const verified = changes === null ? verifyStep(at, page as StepPage) : verifyChanges(at, changes)
      unsure = true
      at = await applyVerified(db, location, at, verified)
      unsure = false
      reached({ ...at, how: 'feed' })
    }
  } finally {
    // A clean record for the next run; after a failed step, the record with its pending state stays.
    try {
      if (!unsure && at !== from) await writeRecord(location, at)
    } finally {
      await db.close()
    }
  }
}

// A step from `at`; null when the server does not keep that state (or speaks no `step`: then `unsupported` is called).
async function stepFrom (client: ReplicationClient, at: ReplicaPosition, limit: number, wait: number, unsupported: () => void): Promise<StepPage | null> {
  try {
    return await client.step(at.seq, limit, wait)
  } catch (err) {
    const code = serverCode(err)
    if (code === 'REPLICATION_NOT_FOUND') unsupported()
    if (code === 'REPLICATION_STEP_GONE' || code === 'REPLICATION_NOT_FOUND') return null
    throw err
  }
}

function serverCode (err: unknown): string {
  const e = err as ReplicaError | null
  return e?.code === 'REPLICA_SERVER_ERROR' ? e.serverCode ?? '' : ''
}

// A failure that waiting may cure: the network, a server restarting, overloaded or failing inside, pins let go.
function isTransient (err: unknown): boolean {
  const e = err as ReplicaError | null
  if (e?.code === 'REPLICA_SERVER_ERROR') return (e.status ?? 0) >= 500 || e.status === 429 || e.serverCode === 'REPLICATION_ROOT_GONE'
  return TRANSIENT_CODES.includes(String(e?.code))
}

// The wait before retry number `failures`: doubling from `min` up to `max`, between half and all of it.
function backoff (failures: number, min: number, max: number): number {
  const ceiling = Math.min(max, min * 2 ** Math.min(failures - 1, 30))
  return Math.round(ceiling / 2 + Math.random() * ceiling / 2)
}

async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done)
  })
}
