/**
 * The errors of the replica client. Each has a stable `code` (match on it,
 * never on the message); an error answer from the server keeps its HTTP
 * status and the server's own code, so the client can tell a feed position
 * that is gone (fall back to a full copy) from a refusal.
 */
import ModuleError from 'module-error'

/** The codes the replica client raises (the verifier raises LEVEL_INVALID_PROOF and LEVEL_PROOF_ROOT_MISMATCH). */
export type ReplicaErrorCode =
  /** The server answered with an error status; `status` and `serverCode` say which. */
  | 'REPLICA_SERVER_ERROR'
  /** The server answered with a redirect, which is never followed. */
  | 'REPLICA_REDIRECT'
  /** A body that is not what the protocol says: malformed, truncated, inconsistent. */
  | 'REPLICA_BAD_RESPONSE'
  /** A body larger than the client accepts. */
  | 'REPLICA_RESPONSE_TOO_LARGE'
  /** A response that did not end in time. */
  | 'REPLICA_TIMEOUT'
  /** The request could not be made (connection refused, reset). */
  | 'REPLICA_CONNECTION'
  /** The caller's signal aborted the work. */
  | 'REPLICA_ABORTED'
  /** A root other than the one required: the pinned target, or the verified state after a step. */
  | 'REPLICA_ROOT_MISMATCH'
  /** A node of the server's tree (`nodes`) does not hash to what its parent or the root states, or breaks the tree's order or count. */
  | 'REPLICA_NODE_MISMATCH'
  /** The replica directory holds something that is not a replica's state. */
  | 'REPLICA_BAD_STATE'
  /** Another replicate or follow, in this process or another, is working on the same replica directory. */
  | 'REPLICA_BUSY'

/** A replica error, with the server's status and code when it answered with an error. */
export interface ReplicaError extends Error {
  code: ReplicaErrorCode
  status?: number
  serverCode?: string
}

/** Creates a coded replica error. */
export function replicaError (code: ReplicaErrorCode, message: string, extra: { cause?: unknown, status?: number, serverCode?: string } = {}): ReplicaError {
  const err = new ModuleError(message, { code, cause: extra.cause as Error | undefined }) as ReplicaError
  if (extra.status !== undefined) err.status = extra.status
  if (extra.serverCode !== undefined) err.serverCode = extra.serverCode
  return err
}

/** True when `err` is the server's answer with the given protocol code. */
export function isServerCode (err: unknown, serverCode: string): boolean {
  return (err as ReplicaError | null)?.code === 'REPLICA_SERVER_ERROR' && (err as ReplicaError).serverCode === serverCode
}

/** Why the feed cannot bring the replica up to date: a diff or a full copy is needed. */
export class FeedUnusable extends Error {
  override readonly name = 'FeedUnusable'
}
