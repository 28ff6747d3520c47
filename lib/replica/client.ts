/**
 * The replication protocol from the replica's side (docs/REPLICATION.md):
 * one method per endpoint, each returning the response with its shape
 * checked. Nothing here is trusted yet: proofs are checked by the callers
 * against the roots they hold.
 */
import { boundedGet } from './http'
import type { GetResult } from './http'
import { isServerCode, replicaError } from './errors'
import type { ChangeProofJson } from '../tree/change-json'
import { fromHex } from '../bytes'
import type { WriteOp } from '../store/batch-record'
import type { KeyRange } from '../tree/treap'
import { decodeServedNodes } from '../tree/node-wire'
import type { ServedNode } from '../tree/node-wire'

export type { ServedNode }

/** The largest body the client accepts, whatever the server says its limit is. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

/** How the client talks to the server. */
export interface ClientOptions {
  /** Sent as `Authorization: Bearer <token>`, to the given URL only. */
  token?: string
  /** Aborts the work (REPLICA_ABORTED). */
  signal?: AbortSignal
  /** The largest body accepted (default 64 MiB; the server's stated limit, if smaller, wins). */
  maxResponseBytes?: number
  /** The longest one request may take, response included (default 60 s). */
  timeoutMs?: number
}

/** `info`: the state the server pinned. */
export interface ServerInfo {
  root: string
  seq: number
  count: number
  salt: string
  maxResponseBytes: number
  maxRequestBytes: number
  maxRangeEntries: number
  maxChanges: number
  /** The longest long poll of `changes` the server allows (ms). */
  maxWaitMs: number
}

/** One `range` page in the binary form: the proof's bytes and the fields from the headers. */
export interface RangePage {
  root: string
  seq: number
  count: number
  /** The key to continue after (hex), or null when the range is complete. */
  next: string | null
  proof: Uint8Array
}

/** One change of the feed, as sent. */
export interface FeedChange {
  seq: number
  root: string | null
  proof: ChangeProofJson | null
}

/** One batch of the feed without its proof: its operations, as sent (a clear with its range). */
export interface PlainChange {
  seq: number
  ops: WriteOp[]
}

/** A `changes?proofs=false` answer. */
export interface PlainChangesPage {
  last: number
  head: number
  changes: PlainChange[]
}

/** A `changes` answer. */
export interface ChangesPage {
  last: number
  head: number
  changes: FeedChange[]
}

/** A `step` answer: the step's end, and the change proof to it (null, with `root`, when there is no batch after `since` yet). */
export interface StepPage {
  last: number
  head: number
  root: string | null
  proof: ChangeProofJson | null
}

const ROOT = /^[0-9a-f]{64}$/
const HEX = /^(?:[0-9a-f]{2})*$/

/** A client for one server, given by its URL (its root, or its `/v1/`). */
export class ReplicationClient {
  readonly #base: URL
  readonly #options: ClientOptions
  #maxBytes: number

  constructor (url: string, options: ClientOptions = {}) {
    const base = new URL(url)
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`Not an http: or https: URL: ${url}`)
    if (!base.pathname.endsWith('/')) base.pathname += '/'
    if (!base.pathname.endsWith('/v1/')) base.pathname += 'v1/'
    base.search = ''
    base.hash = ''
    this.#base = base
    this.#options = options
    this.#maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  }

  /** `info`; from then on, bodies are capped at the smaller of the client's cap and the server's stated limit. */
  async info (): Promise<ServerInfo> {
    const body = json(await this.#get('info', {}))
    const limits = field(body, 'limits', isObject)
    const info = {
      root: field(body, 'root', isRoot),
      seq: field(body, 'seq', isCount),
      count: field(body, 'count', isCount),
      salt: field(body, 'salt', isHex),
      maxResponseBytes: field(limits, 'maxResponseBytes', isCount),
      maxRequestBytes: field(limits, 'maxRequestBytes', isCount),
      maxRangeEntries: field(limits, 'maxRangeEntries', isCount),
      maxChanges: field(limits, 'maxChanges', isCount),
      maxWaitMs: field(limits, 'maxWaitMs', isCount)
    }
    if (field(body, 'protocol', isCount) !== 1) throw bad('The server speaks another protocol version')
    this.#maxBytes = Math.min(this.#maxBytes, info.maxResponseBytes)
    return info
  }

  /** One `range` page (binary form) of the state `root`, after the key `gt` (hex) or from the start. */
  async range (root: string, gt: string | null): Promise<RangePage> {
    const params: Record<string, string> = { root, format: 'binary' }
    if (gt !== null) params.gt = gt
    const res = await this.#get('range', params)
    const header = (name: string): string => {
      const value = res.headers[name]
      if (typeof value !== 'string') throw bad(`The range response has no ${name} header`)
      return value
    }
    const seq = Number(header('x-merkle-seq'))
    const count = Number(header('x-merkle-count'))
    const next = header('x-merkle-next')
    const page = { root: header('x-merkle-root'), seq, count, next: next === '' ? null : next, proof: new Uint8Array(res.body) }
    if (!isRoot(page.root) || !isCount(seq) || !isCount(count) || !HEX.test(next)) throw bad('The range response has malformed headers')
    return page
  }

  /** The feed after batch `since`, at most `limit` batches; with `waitMs`, a long poll that waits that long for a first batch. */
  async changes (since: number, limit: number, waitMs = 0): Promise<ChangesPage> {
    const params: Record<string, string> = { since: String(since), limit: String(limit) }
    if (waitMs > 0) params.wait = String(waitMs)
    const body = json(await this.#get('changes', params))
    const changes = field(body, 'changes', Array.isArray).map((change: unknown) => ({
      seq: field(change, 'seq', isCount),
      root: field(change, 'root', (v): v is string | null => v === null || isRoot(v)),
      proof: field(change, 'proof', (v): v is ChangeProofJson | null => v === null || isObject(v))
    }))
    if (field(body, 'since', isCount) !== since) throw bad('The changes response answers another position')
    return { last: field(body, 'last', isCount), head: field(body, 'head', isCount), changes }
  }

  /** The batches after `since` without proofs or roots (`proofs=false`), at most `limit`. */
  async plainChanges (since: number, limit: number): Promise<PlainChangesPage> {
    const body = json(await this.#get('changes', { since: String(since), limit: String(limit), proofs: 'false' }))
    const changes = field(body, 'changes', Array.isArray).map((change: unknown) => ({
      seq: field(change, 'seq', isCount),
      ops: field(change, 'ops', Array.isArray).map(operationOf)
    }))
    if (field(body, 'since', isCount) !== since) throw bad('The changes response answers another position')
    return { last: field(body, 'last', isCount), head: field(body, 'head', isCount), changes }
  }

  /** One step after batch `since` over at most `limit` batches; with `waitMs`, a long poll that waits that long for a first batch. */
  async step (since: number, limit: number, waitMs = 0): Promise<StepPage> {
    const params: Record<string, string> = { since: String(since), limit: String(limit) }
    if (waitMs > 0) params.wait = String(waitMs)
    const body = json(await this.#get('step', params))
    if (field(body, 'since', isCount) !== since) throw bad('The step response answers another position')
    const page = {
      last: field(body, 'last', isCount),
      head: field(body, 'head', isCount),
      root: field(body, 'root', (v): v is string | null => v === null || isRoot(v)),
      proof: field(body, 'proof', (v): v is ChangeProofJson | null => v === null || isObject(v))
    }
    if (page.last < since || page.last - since > limit || (page.last > since) !== (page.proof !== null && page.root !== null)) {
      throw bad(`The step response from ${since} to ${page.last} is malformed`)
    }
    return page
  }

  /**
   * The nodes of the state `root` at `positions` (joined with '.'), in order: all, or the first
   * ones that fit. In the binary form; from a server that refuses it (an earlier release, whose
   * `nodes` takes no `format`), in JSON from then on.
   */
  async nodes (root: string, positions: readonly string[]): Promise<ServedNode[]> {
    const at = positions.join('.')
    let nodes: ServedNode[] | null = null
    if (this.#binaryNodes) {
      try {
        nodes = this.#binaryNodesOf(root, await this.#get('nodes', this.#nodesParams(root, at)))
      } catch (err) {
        if (!isServerCode(err, 'REPLICATION_BAD_PARAMETER')) throw err
      }
    }
    if (nodes === null) {
      nodes = this.#jsonNodesOf(root, json(await this.#get('nodes', { root, at })))
      // JSON served where binary was refused: the server does not know the binary form.
      this.#binaryNodes = false
    }
    if (nodes.length === 0 || nodes.length > positions.length) throw bad(`The nodes response holds ${nodes.length} nodes for ${positions.length} positions`)
    return nodes
  }

  #binaryNodes = true

  #nodesParams (root: string, at: string): Record<string, string> {
    return this.#binaryNodes ? { root, at, format: 'binary' } : { root, at }
  }

  /** The length of a `nodes` request target for `positions` joined with '.', as the server counts it. */
  nodesTargetLength (root: string, at: string): number {
    return this.targetLength('nodes', this.#nodesParams(root, at))
  }

  #binaryNodesOf (root: string, res: GetResult): ServedNode[] {
    if (res.headers['x-merkle-root'] !== root) throw bad('The nodes response describes another state than the one asked')
    const nodes = decodeServedNodes(new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength))
    if (typeof nodes === 'string') throw bad(`The nodes response is malformed: ${nodes}`)
    return nodes
  }

  #jsonNodesOf (root: string, body: unknown): ServedNode[] {
    if (field(body, 'root', isRoot) !== root) throw bad('The nodes response describes another state than the one asked')
    const hash = (v: unknown): v is string | null => v === null || isRoot(v)
    const bytes = (hex: string | null): Uint8Array | null => hex === null ? null : fromHex(hex)
    return field(body, 'nodes', Array.isArray).map((node: unknown) => ({
      key: fromHex(field(node, 'key', isHex)),
      value: fromHex(field(node, 'value', isHex)),
      left: bytes(field(node, 'left', hash)),
      right: bytes(field(node, 'right', hash))
    }))
  }

  /** The length of the request target for `endpoint` with `params`, as the server counts it. */
  targetLength (endpoint: string, params: Record<string, string>): number {
    const url = new URL(endpoint, this.#base)
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
    return Buffer.byteLength(url.pathname + url.search)
  }

  // A 200 response to GET /v1/<endpoint>?<params>, or the coded error the answer stands for.
  async #get (endpoint: string, params: Record<string, string>): Promise<GetResult> {
    const url = new URL(endpoint, this.#base)
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
    const res = await boundedGet(url, {
      token: this.#options.token, signal: this.#options.signal, maxBytes: this.#maxBytes, timeoutMs: this.#options.timeoutMs ?? 60_000
    })
    if (res.status !== 200) {
      let serverCode: string | undefined
      try { serverCode = JSON.parse(res.body.toString('utf8'))?.error?.code } catch {}
      const code = typeof serverCode === 'string' ? serverCode : undefined
      throw replicaError('REPLICA_SERVER_ERROR', `${endpoint}: the server answered ${res.status}${code === undefined ? '' : ` ${code}`}`, { status: res.status, serverCode: code })
    }
    return res
  }
}

function bad (message: string): Error {
  return replicaError('REPLICA_BAD_RESPONSE', message)
}

function json (res: GetResult): unknown {
  try {
    return JSON.parse(res.body.toString('utf8'))
  } catch (err) {
    throw replicaError('REPLICA_BAD_RESPONSE', 'The response is not JSON', { cause: err })
  }
}

// The field `name` of `object`, which must pass `check`.
function field<T> (object: unknown, name: string, check: (value: unknown) => value is T): T {
  const value = isObject(object) ? object[name] : undefined
  if (!check(value)) throw bad(`The response's field '${name}' is missing or malformed`)
  return value
}

// An operation of the feed in its JSON form (lib/serve/json.ts), as the store applies it.
function operationOf (op: unknown): WriteOp {
  const type = field(op, 'type', (v): v is 'put' | 'del' | 'clear' => v === 'put' || v === 'del' || v === 'clear')
  if (type === 'put') return { type, key: fromHex(field(op, 'key', isHex)), value: fromHex(field(op, 'value', isHex)) }
  if (type === 'del') return { type, key: fromHex(field(op, 'key', isHex)) }
  const json = field(op, 'range', isObject)
  const range: KeyRange = { reverse: field(json, 'reverse', (v): v is boolean => typeof v === 'boolean') }
  for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
    if (json[bound] !== undefined) range[bound] = fromHex(field(json, bound, isHex))
  }
  if (json.limit !== undefined) range.limit = field(json, 'limit', isCount)
  return { type, range }
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isCount (value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0
}

function isRoot (value: unknown): value is string {
  return typeof value === 'string' && ROOT.test(value)
}

function isHex (value: unknown): value is string {
  return typeof value === 'string' && HEX.test(value)
}
