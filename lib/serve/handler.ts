/**
 * The replication endpoint as a request handler (docs/REPLICATION.md): an
 * application mounts it in its own `node:http` or `node:https` server, and
 * `merkle-level serve` runs it alone. It only reads: every endpoint answers
 * from a snapshot or the change feed, and nothing it does writes the
 * database. Each request is checked in this order: the token (401, and
 * nothing else said), the size of the request (414, 413), the method (405),
 * the path (404), the parameters (400); then the endpoint answers. The
 * page's static files (page.ts) are answered first, to GET, without a token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { MerkleLevel } from '../level/merkle-level'
import { hasCode } from '../errors'
import { TokenCheck } from './access'
import { ENDPOINT_SPECS } from './endpoints'
import type { Body, EndpointContext } from './endpoints'
import { PAGE_PATH, isPagePath, pageFile } from './page'
import { Params } from './params'
import { SnapshotPins } from './pins'
import { FeedTail } from './feed-tail'
import { StepTail } from './step-tail'
import { PROTOCOL_VERSION, ReplicationError, checkedLimits } from './protocol'
import type { ReplicationLimits } from './protocol'

/** Options of {@link createReplicationHandler}: the limits, and the token if any. */
export interface ReplicationHandlerOptions extends Partial<ReplicationLimits> {
  /** Requests must carry `Authorization: Bearer <token>` (default: no token, anyone who reaches the handler reads). */
  token?: string
}

/** A request handler serving a database read-only; `close()` lets its pinned snapshots go. */
export interface ReplicationHandler {
  (req: IncomingMessage, res: ServerResponse): void
  /** Lets every pinned snapshot go; later requests that need one get 503. Call it before closing the database. */
  close: () => Promise<void>
  /** The limits in force. */
  readonly limits: Readonly<ReplicationLimits>
}

const PREFIX = `/v${PROTOCOL_VERSION}/`

/**
 * A request handler that serves `db` (an open MerkleLevel) read-only over
 * the replication protocol, version 1: `GET /v1/info`, `/v1/range`,
 * `/v1/changes`, `/v1/step`, `/v1/prove`, `/v1/nodes`, `/v1/overview`, and the page
 * `/v1/look/` (docs/REPLICATION.md).
 */
export function createReplicationHandler<K, V> (db: MerkleLevel<K, V>, options: ReplicationHandlerOptions = {}): ReplicationHandler {
  const { token, ...given } = options
  const limits = checkedLimits(given)
  const check = token === undefined ? null : new TokenCheck(token)
  // Every read names its encodings ('view'): the database's own key and value types do not matter.
  const served = db as unknown as MerkleLevel<unknown, unknown>
  const pins = new SnapshotPins(served, limits)
  let tail: FeedTail | null = null
  const tailOf = (): FeedTail => {
    if (tail === null || !tail.running) {
      const snapshot = served.snapshot()
      const head = (snapshot as unknown as { seq: number }).seq
      void snapshot.close().catch(() => {})
      // Four full responses' worth: a follower a few pages behind still reads the tail.
      tail = new FeedTail(served, head, { bytes: 4 * limits.maxResponseBytes, count: 4 * limits.maxChanges, idleMs: limits.pinMs })
    }
    return tail
  }
  let steps: StepTail | null = null
  const stepsOf = (): StepTail => {
    if (steps === null || !steps.running) steps = new StepTail(served, { bytes: 4 * limits.maxResponseBytes, count: 4 * limits.maxChanges, idleMs: limits.pinMs })
    return steps
  }
  const context: EndpointContext = { db: served, pins, limits, tail: tailOf, runningTail: () => tail?.running === true ? tail : null, steps: stepsOf }
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    answer(req, context, check).then(body => {
      if (typeof body === 'string') send(res, 200, body)
      else send(res, 200, body.bytes, { 'content-type': 'application/octet-stream', ...body.headers })
    }, err => sendError(res, err))
  }
  const close = async (): Promise<void> => {
    await tail?.stop()
    await steps?.stop()
    await pins.close()
  }
  return Object.assign(handler, { close, limits: Object.freeze({ ...limits }) })
}

// The body of the answer to `req`, or a ReplicationError (or another error: 500).
async function answer (req: IncomingMessage, context: EndpointContext, check: TokenCheck | null): Promise<Body> {
  const page = pagePathOf(req, context.limits)
  if (page !== null) return await pageFile(page)
  if (check !== null && !check.accepts(req.headers.authorization)) {
    throw new ReplicationError('REPLICATION_UNAUTHORIZED', 'A valid bearer token is required')
  }
  const target = req.url ?? '/'
  if (Buffer.byteLength(target) > context.limits.maxRequestBytes) {
    throw new ReplicationError('REPLICATION_URI_TOO_LONG', `The request target is longer than ${context.limits.maxRequestBytes} bytes`)
  }
  if (hasBody(req)) {
    throw new ReplicationError('REPLICATION_REQUEST_TOO_LARGE', 'A request of this protocol has no body')
  }
  if (req.method !== 'GET') throw new ReplicationError('REPLICATION_METHOD_NOT_ALLOWED', `Method ${String(req.method)} is not allowed: the endpoint only reads (GET)`)
  const url = new URL(target, 'http://replication.invalid')
  const name = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : null
  const spec = name !== null && Object.hasOwn(ENDPOINT_SPECS, name) ? ENDPOINT_SPECS[name] : undefined
  if (spec === undefined) throw new ReplicationError('REPLICATION_NOT_FOUND', `No endpoint ${url.pathname}: version ${PROTOCOL_VERSION} has ${PREFIX}info, range, changes, prove, nodes and overview, and the page ${PAGE_PATH}`)
  if (context.db.status !== 'open') throw new ReplicationError('REPLICATION_UNAVAILABLE', 'The database is not open')
  return await spec.run(context, new Params(url.searchParams, spec.params))
}

// The path of a file of the page that `req` asks for, or null. The page's files hold no data, and a
// browser cannot send a header when it opens a page: they are served without the token, to a plain
// GET; any other request goes through every check.
function pagePathOf (req: IncomingMessage, limits: ReplicationLimits): string | null {
  const target = req.url ?? '/'
  if (req.method !== 'GET' || Buffer.byteLength(target) > limits.maxRequestBytes || hasBody(req)) return null
  let pathname: string
  try {
    pathname = new URL(target, 'http://replication.invalid').pathname
  } catch {
    return null
  }
  return isPagePath(pathname) ? pathname : null
}

function hasBody (req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')
}

function send (res: ServerResponse, status: number, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.length),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers
  })
  res.end(body)
}

function sendError (res: ServerResponse, err: unknown): void {
  const failure = asReplicationError(err)
  const headers: Record<string, string> = {}
  if (failure.code === 'REPLICATION_UNAUTHORIZED') headers['www-authenticate'] = 'Bearer'
  if (failure.code === 'REPLICATION_METHOD_NOT_ALLOWED') headers.allow = 'GET'
  // A request with a body is answered without reading it: the connection cannot be reused.
  if (failure.code === 'REPLICATION_REQUEST_TOO_LARGE' || failure.code === 'REPLICATION_URI_TOO_LONG') headers.connection = 'close'
  send(res, failure.status, JSON.stringify({ error: { code: failure.code, message: failure.message } }), headers)
}

// Errors of the database become the codes of the protocol; anything unforeseen is a 500 that says no more.
function asReplicationError (err: unknown): ReplicationError {
  if (err instanceof ReplicationError) return err
  if (hasCode(err, 'LEVEL_DATABASE_NOT_OPEN') || hasCode(err, 'LEVEL_SNAPSHOT_NOT_OPEN')) {
    return new ReplicationError('REPLICATION_UNAVAILABLE', 'The database is not open')
  }
  return new ReplicationError('REPLICATION_INTERNAL', 'The server failed to answer')
}
