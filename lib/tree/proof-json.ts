/**
 * The JSON form of proofs: the same fields as the binary form, byte strings
 * as lower-case hexadecimal, the nodes as a flat pre-order list (null for an
 * empty subtree) so that deep proofs need no deep nesting:
 *
 *     { "version": 1, "kind": "key", "salt": "", "count": 2, "key": "61",
 *       "nodes": [ { "key": "62", "valueHash": "…" }, { "key": "61", "value": "…" }, null, null, null ] }
 *
 * Reading is strict: unknown or missing fields, wrong types and malformed hex
 * are rejected with LEVEL_INVALID_PROOF, and the result then passes through
 * the binary decoder's checks as well.
 */
import { invalidProof } from '../errors'
import { PROOF_VERSION } from './proof'
import type { Proof, ProofNode, ProofRange } from './proof'
import { decodeProof, encodeProof } from './proof-codec'

/** A node in JSON. */
export type ProofNodeJson =
  | null
  | { hash: string }
  | { key: string, value: string }
  | { key: string, valueHash: string }

/** A range in JSON. */
export interface ProofRangeJson {
  gt?: string
  gte?: string
  lt?: string
  lte?: string
  limit?: number
  reverse: boolean
}

/** A proof in JSON. */
export type ProofJson = {
  version: number
  salt: string
  count: number
  nodes: ProofNodeJson[]
} & ({ kind: 'key', key: string } | { kind: 'range', range: ProofRangeJson })

/** The JSON form of a proof. */
export function proofToJson (proof: Proof): ProofJson {
  const nodes = proof.nodes.map(nodeToJson)
  const base = { version: PROOF_VERSION, salt: hex(proof.salt), count: proof.count, nodes }
  if (proof.kind === 'key') return { ...base, kind: 'key', key: hex(proof.key) }
  const r = proof.range
  const range: ProofRangeJson = { reverse: r.reverse }
  if (r.gt !== undefined) range.gt = hex(r.gt)
  if (r.gte !== undefined) range.gte = hex(r.gte)
  if (r.lt !== undefined) range.lt = hex(r.lt)
  if (r.lte !== undefined) range.lte = hex(r.lte)
  if (r.limit !== undefined) range.limit = r.limit
  return { ...base, kind: 'range', range }
}

function nodeToJson (node: ProofNode): ProofNodeJson {
  switch (node.type) {
    case 'empty': return null
    case 'pruned': return { hash: hex(node.hash) }
    case 'entry': return { key: hex(node.key), value: hex(node.value) }
    case 'path': return { key: hex(node.key), valueHash: hex(node.valueHash) }
  }
}

/** Reads the JSON form of a proof (an object or its JSON text); throws LEVEL_INVALID_PROOF when malformed. */
export function proofFromJson (json: unknown): Proof {
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json)
    } catch {
      throw invalidProof('Not JSON')
    }
  }
  const o = record(json, ['version', 'kind', 'salt', 'count', 'nodes', 'key', 'range'])
  if (o.version !== PROOF_VERSION) throw invalidProof('Unknown proof version')
  if (typeof o.count !== 'number' || !Number.isSafeInteger(o.count) || o.count < 0) throw invalidProof('Bad count')
  if (!Array.isArray(o.nodes)) throw invalidProof('Bad nodes')
  const base = { salt: unhex(o.salt), count: o.count, nodes: o.nodes.map(nodeFromJson) }
  let proof: Proof
  if (o.kind === 'key' && o.range === undefined) proof = { ...base, kind: 'key', key: unhex(o.key) }
  else if (o.kind === 'range' && o.key === undefined) proof = { ...base, kind: 'range', range: rangeFromJson(o.range) }
  else throw invalidProof('Unknown proof kind')
  // The binary round trip applies every structural check of the decoder.
  return decodeProof(encodeProof(proof))
}

function rangeFromJson (json: unknown): ProofRange {
  const o = record(json, ['gt', 'gte', 'lt', 'lte', 'limit', 'reverse'])
  if (typeof o.reverse !== 'boolean') throw invalidProof('Bad reverse flag')
  const range: { -readonly [K in keyof ProofRange]: ProofRange[K] } = { reverse: o.reverse }
  for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
    if (o[bound] !== undefined) range[bound] = unhex(o[bound])
  }
  if (o.limit !== undefined) {
    if (typeof o.limit !== 'number' || !Number.isInteger(o.limit) || o.limit < 0) throw invalidProof('Bad limit')
    range.limit = o.limit
  }
  return range
}

function nodeFromJson (json: unknown): ProofNode {
  if (json === null) return { type: 'empty' }
  const o = record(json, ['hash', 'key', 'value', 'valueHash'])
  const fields = Object.keys(o).sort().join(',')
  if (fields === 'hash') return { type: 'pruned', hash: unhex(o.hash) }
  if (fields === 'key,value') return { type: 'entry', key: unhex(o.key), value: unhex(o.value) }
  if (fields === 'key,valueHash') return { type: 'path', key: unhex(o.key), valueHash: unhex(o.valueHash) }
  throw invalidProof('Unknown node form')
}

/** A plain object with only the allowed fields (own properties whose value is undefined count as absent). */
export function record (json: unknown, allowed: string[]): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalidProof('Expected an object')
  const o: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(json)) {
    if (!allowed.includes(name)) throw invalidProof(`Unknown field ${name}`)
    if (value !== undefined) o[name] = value
  }
  return o
}

const DIGITS = '0123456789abcdef'
// Each byte's two digits: one lookup and one concatenation per byte.
const BYTE_DIGITS = Array.from({ length: 256 }, (_, b) => DIGITS[b >> 4] + DIGITS[b & 15])

/** Lower-case hexadecimal. */
export function hex (bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += BYTE_DIGITS[bytes[i]]
  return s
}

// The value of a lower-case hexadecimal digit's character code, or -1.
function digitValue (code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 97 && code <= 102) return code - 87
  return -1
}

/** Bytes from lower-case hexadecimal only (one spelling per byte string); else LEVEL_INVALID_PROOF. */
export function unhex (value: unknown): Uint8Array {
  if (typeof value !== 'string' || value.length % 2 !== 0) throw invalidProof('Bad hexadecimal')
  const bytes = new Uint8Array(value.length / 2)
  for (let i = 0; i < bytes.length; i++) {
    const high = digitValue(value.charCodeAt(2 * i))
    const low = digitValue(value.charCodeAt(2 * i + 1))
    if (high < 0 || low < 0) throw invalidProof('Bad hexadecimal')
    bytes[i] = high * 16 + low
  }
  return bytes
}
