/**
 * The replication protocol, version 1 (docs/REPLICATION.md): its paths, its
 * limits and their defaults, and the coded errors its responses carry. A
 * response is JSON; an error is `{ "error": { "code", "message" } }` with
 * the HTTP status that goes with the code.
 */

/** The version of the protocol, the first segment of every path (`/v1/...`). */
export const PROTOCOL_VERSION = 1

/** The paths of version 1, after the `/v1/` prefix. */
export const ENDPOINTS = ['info', 'range', 'changes', 'step', 'prove', 'nodes', 'overview'] as const

/** One of {@link ENDPOINTS}. */
export type Endpoint = typeof ENDPOINTS[number]

/** The bounds a handler enforces; every field has a default. */
export interface ReplicationLimits {
  /** The largest response body, in bytes (default 4 MiB; at least 4096). */
  maxResponseBytes: number
  /** The longest request target (path and query), in bytes (default 8192); longer: 414. */
  maxRequestBytes: number
  /** The most entries one `range` response holds (default 10,000). */
  maxRangeEntries: number
  /** The most batches one `changes` response holds, and one `step` spans (default 1,000). */
  maxChanges: number
  /** The longest a `changes` or `step` request may wait for a new batch (`wait`), in milliseconds (default 30,000). */
  maxWaitMs: number
  /** How long a snapshot stays pinned after its last use, in milliseconds (default 60,000). */
  pinMs: number
  /** The most snapshots pinned at once (default 8); the least recently used idle one goes first. */
  maxPins: number
}

/** The defaults of {@link ReplicationLimits}. */
export const DEFAULT_LIMITS: Readonly<ReplicationLimits> = Object.freeze({
  maxResponseBytes: 4 * 1024 * 1024,
  maxRequestBytes: 8192,
  maxRangeEntries: 10000,
  maxChanges: 1000,
  maxWaitMs: 30000,
  pinMs: 60000,
  maxPins: 8
})

/** The smallest `maxResponseBytes` accepted: room for a proof of a few small entries. */
export const MIN_RESPONSE_BYTES = 4096

/** The codes of protocol errors, with their HTTP status. */
export const ERROR_STATUS = Object.freeze({
  /** The request's parameters are wrong (unknown, repeated, malformed or out of range). */
  REPLICATION_BAD_PARAMETER: 400,
  /** No token, or the wrong one: nothing else is said. */
  REPLICATION_UNAUTHORIZED: 401,
  /** No such path. */
  REPLICATION_NOT_FOUND: 404,
  /** A method other than GET. */
  REPLICATION_METHOD_NOT_ALLOWED: 405,
  /** `since` is after the last batch committed: this is not the history the client followed. */
  REPLICATION_SINCE_AHEAD: 409,
  /** The root asked for is not pinned (any more): start again from `info`. */
  REPLICATION_ROOT_GONE: 410,
  /** The log no longer holds the batches after `since`: sync by ranges again. */
  LEVEL_CHANGES_GONE: 410,
  /** `step` does not hold the state at `since` (older than its recent states): read `changes` from there. */
  REPLICATION_STEP_GONE: 410,
  /** The request has a body (a GET has none). */
  REPLICATION_REQUEST_TOO_LARGE: 413,
  /** The request target is longer than `maxRequestBytes`. */
  REPLICATION_URI_TOO_LONG: 414,
  /** One item (an entry with its proof, one batch) does not fit in `maxResponseBytes`. */
  REPLICATION_RESPONSE_TOO_LARGE: 507,
  /** The database is not open. */
  REPLICATION_UNAVAILABLE: 503,
  /** Anything else went wrong on the server. */
  REPLICATION_INTERNAL: 500
})

/** A code of {@link ERROR_STATUS}. */
export type ReplicationErrorCode = keyof typeof ERROR_STATUS

/** A failure answered with an error body: its code decides the status. */
export class ReplicationError extends Error {
  override readonly name = 'ReplicationError'
  constructor (readonly code: ReplicationErrorCode, message: string) {
    super(message)
  }

  /** The HTTP status of the code. */
  get status (): number {
    return ERROR_STATUS[this.code]
  }
}

/** A bad parameter, named. */
export function badParameter (message: string): ReplicationError {
  return new ReplicationError('REPLICATION_BAD_PARAMETER', message)
}

/** The limits given, checked and completed with the defaults (a TypeError names the first wrong one). */
export function checkedLimits (given: Partial<ReplicationLimits>): ReplicationLimits {
  const limits = { ...DEFAULT_LIMITS }
  for (const name of Object.keys(DEFAULT_LIMITS) as Array<keyof ReplicationLimits>) {
    const value = given[name]
    if (value === undefined) continue
    const least = name === 'maxResponseBytes' ? MIN_RESPONSE_BYTES : 1
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least) {
      throw new TypeError(`The '${name}' option must be an integer of at least ${least}`)
    }
    limits[name] = value
  }
  return limits
}
