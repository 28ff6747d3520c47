/**
 * The endpoints of version 1 (docs/REPLICATION.md): each reads its
 * parameters, reads the database (never writes it) and returns the response
 * body as an object, which must fit in `maxResponseBytes` once serialized.
 */
import type { MerkleLevel } from '../level/merkle-level'
import { toHex } from '../bytes'
import { hasCode } from '../errors'
import { proofToJson } from '../tree/proof-json'
import { encodeProof } from '../tree/proof-codec'
import { proveRangeWithin } from '../tree/prove'
import type { RangeQuery } from '../tree/prove'
import { PROOF_VERSION } from '../tree/proof'
import { headOf } from './feed-wait'
import { overview } from './overview'
import { changeJson } from './feed-tail'
import type { FeedTail } from './feed-tail'
import type { StepTail } from './step-tail'
import { changeProofToJson } from '../tree/change-json'
import { proveChange } from '../tree/prove-change'
import { nodesEndpoint } from './nodes'
import type { Params } from './params'
import { versionHeaders } from './pins'
import type { PinnedVersion, SnapshotPins } from './pins'
import { PROTOCOL_VERSION, ReplicationError } from './protocol'
import type { ReplicationLimits } from './protocol'

/** What an endpoint works with. */
export interface EndpointContext {
  readonly db: MerkleLevel<unknown, unknown>
  readonly pins: SnapshotPins
  readonly limits: ReplicationLimits
  /** The tail of the feed, started if it is not running. */
  readonly tail: () => FeedTail
  /** The tail of the feed if it is running, else null. */
  readonly runningTail: () => FeedTail | null
  /** The recent states for `step`, started if not running. */
  readonly steps: () => StepTail
}

/** A response body: JSON text, or bytes with their metadata in headers. */
export type Body = string | { bytes: Uint8Array, headers: Record<string, string> }

/** An endpoint: its parameters, and the body it answers with. */
export interface EndpointSpec {
  readonly params: readonly string[]
  readonly run: (context: EndpointContext, params: Params) => Promise<Body>
}

/** The serialized body, refused with REPLICATION_RESPONSE_TOO_LARGE when it exceeds the limit. */
function bounded (body: unknown, limits: ReplicationLimits, what: string): string {
  const text = JSON.stringify(body)
  if (Buffer.byteLength(text) > limits.maxResponseBytes) {
    throw new ReplicationError('REPLICATION_RESPONSE_TOO_LARGE', `${what} takes more than maxResponseBytes (${limits.maxResponseBytes})`)
  }
  return text
}

function versionFields (version: PinnedVersion): { root: string, seq: number, count: number } {
  return { root: version.root, seq: version.seq, count: version.count }
}

/** `info`: the current state (pinned), its parameters and the server's limits. */
const info: EndpointSpec = {
  params: [],
  run: async ({ db, pins, limits }) => await pins.with(undefined, async version => bounded({
    protocol: PROTOCOL_VERSION,
    proofVersion: PROOF_VERSION,
    ...versionFields(version),
    salt: toHex(db.treeParams?.salt ?? new Uint8Array(0)),
    limits: { ...limits }
  }, limits, 'The info'))
}

/** `prove`: a key proof against a pinned root (or the current state, pinned). */
const prove: EndpointSpec = {
  params: ['key', 'root'],
  run: async ({ db, pins, limits }, params) => {
    const key = params.bytes('key')
    if (key === undefined) throw new ReplicationError('REPLICATION_BAD_PARAMETER', "Parameter 'key' is required")
    return await pins.with(params.root('root'), async version => {
      const proof = await db.prove(key, { snapshot: version.snapshot, keyEncoding: 'view' })
      return bounded({ ...versionFields(version), proof: proofToJson(proof) }, limits, 'The proof of this key')
    })
  }
}

/**
 * `range`: the entries from a bound on, as many as fit (at most `limit`
 * and `maxRangeEntries`, and `maxResponseBytes` once serialized), with a
 * range proof against the pinned root. `next` is the key to continue after
 * (`gt`), or null when the proof covers the range to its end. With
 * `format=binary` the body is the proof's binary encoding and the other
 * fields are headers.
 */
const range: EndpointSpec = {
  params: ['root', 'gt', 'gte', 'lt', 'lte', 'limit', 'format'],
  run: async ({ pins, limits }, params) => {
    const query: RangeQuery = {}
    for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
      const key = params.bytes(bound)
      if (key !== undefined) query[bound] = key
    }
    if (query.gt !== undefined && query.gte !== undefined) throw new ReplicationError('REPLICATION_BAD_PARAMETER', "Give at most one of 'gt' and 'gte'")
    if (query.lt !== undefined && query.lte !== undefined) throw new ReplicationError('REPLICATION_BAD_PARAMETER', "Give at most one of 'lt' and 'lte'")
    const limit = params.integer('limit', 1, limits.maxRangeEntries, limits.maxRangeEntries)
    const binary = params.choice('format', ['json', 'binary'], 'json') === 'binary'
    // In JSON an entry is {"key":"…","value":"…"} in hex; in binary a tag and two lengths. Path nodes come on top.
    const sizeOf = binary
      ? (key: Uint8Array, value: Uint8Array) => 2 * key.length + value.length + 8
      : (key: Uint8Array, value: Uint8Array) => 4 * key.length + 2 * value.length + 32
    return await pins.with(params.root('root'), async version => {
      let cap = limit
      for (;;) {
        const { proof, entries, next } = proveRangeWithin(version.snapshot.tree, { ...query, limit: cap }, limits.maxResponseBytes, sizeOf)
        const nextHex = next === null ? null : toHex(next)
        const body: Body = binary
          ? { bytes: encodeProof(proof), headers: { ...versionHeaders(version), 'x-merkle-next': nextHex ?? '' } }
          : JSON.stringify({ ...versionFields(version), proof: proofToJson(proof), next: nextHex })
        if (bodyBytes(body) <= limits.maxResponseBytes) return body
        if (entries <= 1) throw new ReplicationError('REPLICATION_RESPONSE_TOO_LARGE', 'One entry of this range, with its proof, takes more than maxResponseBytes')
        cap = Math.floor(entries / 2)
      }
    })
  }
}

function bodyBytes (body: Body): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.bytes.length
}

/**
 * `changes`: the batches after `since`, each with its root and its change
 * proof, as many as fit (at most `limit` and `maxChanges`). `last` is the
 * sequence number to ask from next; `head` the last batch committed when
 * the request was read. With `wait` and nothing after `since`, it first
 * waits up to `wait` ms for a commit (a long poll, for followers). With
 * `proofs=false`, the batches' operations alone, read from the log (roots
 * and proofs null): for a replica that holds the state at `since` and
 * checks the state they lead to itself (catch-up.ts).
 */
const changes: EndpointSpec = {
  params: ['since', 'limit', 'wait', 'proofs'],
  run: async ({ db, limits, tail, runningTail: running }, params) => {
    const since = params.integer('since', 0, Number.MAX_SAFE_INTEGER)
    const limit = params.integer('limit', 1, limits.maxChanges, limits.maxChanges)
    const wait = params.integer('wait', 0, limits.maxWaitMs, 0)
    const proofs = params.choice('proofs', ['true', 'false'], 'true') === 'true'
    if (!proofs && wait > 0) throw new ReplicationError('REPLICATION_BAD_PARAMETER', "A long poll ('wait') answers with proofs: leave out 'proofs=false'")
    // Read before the feed is made: the feed then ends at `head` or later.
    let head = await headOf(db)
    if (since > head) throw new ReplicationError('REPLICATION_SINCE_AHEAD', `No batch ${since} was committed here (the last is ${head})`)
    const body = (parts: string[]): string => `{"since":${since},"last":${since + parts.length},"head":${Math.max(head, since + parts.length)},"changes":[${parts.join(',')}]}`
    // A follower near the head reads the tail of the feed (feed-tail.ts), or waits on it. Only a
    // long poll starts the tail: a reader catching up (a replica, or a follower whose state the
    // recent states of `step` no longer hold) reads the log, and does not make the server compute
    // a proof of every batch from then on.
    const recent = wait > 0 ? tail() : proofs ? running() : null
    if (recent !== null && recent.reaches(since) && (recent.last > since || wait > 0)) {
      await recent.waitPast(since, wait)
      if (recent.reaches(since)) {
        const parts = changesFitting(recent.read(since, limit), limits, since)
        head = await headOf(db)
        return body(parts)
      }
    }
    const feed = db.changes<Uint8Array, Uint8Array>({ since, roots: proofs, proofs, keyEncoding: 'view', valueEncoding: 'view' })
    const parts: string[] = []
    try {
      for (;;) {
        if (parts.length >= limit) break
        const next = await feed.next()
        if (next.done === true) break
        parts.push(changeJson(next.value))
        if (changesFitting(parts, limits, since).length < parts.length) {
          parts.pop()
          break
        }
      }
    } catch (err) {
      if (hasCode(err, 'LEVEL_CHANGES_GONE')) throw new ReplicationError('LEVEL_CHANGES_GONE', `The log no longer holds the batches after ${since}: sync by ranges`)
      throw err
    } finally {
      await feed.return()
    }
    return body(parts)
  }
}

/**
 * `step`: one change proof from the state after batch `since` to a later
 * one, for the net change of the batches between (at most `limit` and
 * `maxChanges` of them, fewer when the proof would not fit in a response),
 * from the recent states the server keeps (step-tail.ts). `last` is the
 * batch the step ends at (`since` when there is none yet), `root` the root
 * there. With `wait` and nothing after `since`, it first waits up to `wait`
 * ms for a commit. A `since` older than the recent states is answered with
 * REPLICATION_STEP_GONE: read `changes` from there.
 */
const step: EndpointSpec = {
  params: ['since', 'limit', 'wait'],
  run: async ({ db, limits, steps }, params) => {
    const since = params.integer('since', 0, Number.MAX_SAFE_INTEGER)
    const limit = params.integer('limit', 1, limits.maxChanges, limits.maxChanges)
    const wait = params.integer('wait', 0, limits.maxWaitMs, 0)
    let head = await headOf(db)
    if (since > head) throw new ReplicationError('REPLICATION_SINCE_AHEAD', `No batch ${since} was committed here (the last is ${head})`)
    const recent = steps()
    const gone = (): ReplicationError => new ReplicationError('REPLICATION_STEP_GONE', `The state after batch ${since} is older than the recent states kept: read changes from there`)
    if (!recent.reaches(since)) throw gone()
    await recent.waitPast(since, wait)
    if (!recent.reaches(since)) throw gone()
    head = await headOf(db)
    let count = Math.min(limit, recent.last - since)
    if (count <= 0) return JSON.stringify({ since, last: since, head: Math.max(head, since), root: null, proof: null })
    for (;;) {
      const { from, ops } = recent.read(since, count)
      const proven = proveChange(from, ops)
      const body = JSON.stringify({ since, last: since + count, head: Math.max(head, since + count), root: toHex(proven.to), proof: changeProofToJson(proven.proof) })
      if (Buffer.byteLength(body) <= limits.maxResponseBytes) return body
      if (count === 1) throw new ReplicationError('REPLICATION_RESPONSE_TOO_LARGE', `Batch ${since + 1} takes more than maxResponseBytes: read changes, or sync by ranges`)
      count = Math.floor(count / 2)
    }
  }
}

// The longest prefix of `parts` that fits in a response; REPLICATION_RESPONSE_TOO_LARGE when not even the first does.
function changesFitting (parts: string[], limits: ReplicationLimits, since: number): string[] {
  // The bytes of the fields around the list, with room for `last` and `head` at their longest.
  let bytes = 100
  for (let i = 0; i < parts.length; i++) {
    bytes += parts[i].length + 1
    if (bytes > limits.maxResponseBytes) {
      if (i === 0) throw new ReplicationError('REPLICATION_RESPONSE_TOO_LARGE', `Batch ${since + 1} takes more than maxResponseBytes: sync by ranges`)
      return parts.slice(0, i)
    }
  }
  return parts
}

/** The endpoints by path. */
export const ENDPOINT_SPECS: Readonly<Record<string, EndpointSpec>> = Object.freeze({ info, prove, range, changes, step, overview, nodes: nodesEndpoint })
