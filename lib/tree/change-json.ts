/**
 * The JSON form of change proofs: the fields of the binary form, byte
 * strings as lower-case hexadecimal, the nodes as a flat pre-order list as in
 * proof-json.ts (null for an empty subtree, `{ hash }` pruned, `{ key,
 * valueHash }` opened):
 *
 *     { "version": 1, "kind": "change", "salt": "", "count": 1,
 *       "ops": [ { "type": "put", "key": "62", "value": "32" } ],
 *       "nodes": [ { "key": "61", "valueHash": "…" }, null, null ] }
 *
 * Reading is strict, and the result then passes the binary decoder's checks.
 */
import { invalidProof } from '../errors'
import { PROOF_VERSION } from './proof'
import { hex, record, unhex } from './proof-json'
import { decodeChangeProof, encodeChangeProof } from './change-codec'
import type { ChangeOp, ChangeProof, ChangeProofNode } from './change-proof'

/** An operation in JSON. */
export type ChangeOpJson = { type: 'put', key: string, value: string } | { type: 'del', key: string }

/** A node of a change proof in JSON. */
export type ChangeProofNodeJson = null | { hash: string } | { key: string, valueHash: string }

/** A change proof in JSON. */
export interface ChangeProofJson {
  version: number
  kind: 'change'
  salt: string
  count: number
  ops: ChangeOpJson[]
  nodes: ChangeProofNodeJson[]
}

/** The JSON form of a change proof. */
export function changeProofToJson (proof: ChangeProof): ChangeProofJson {
  return {
    version: PROOF_VERSION,
    kind: 'change',
    salt: hex(proof.salt),
    count: proof.count,
    ops: proof.ops.map(op => op.type === 'put' ? { type: 'put', key: hex(op.key), value: hex(op.value) } : { type: 'del', key: hex(op.key) }),
    nodes: proof.nodes.map(node => node.type === 'empty' ? null : node.type === 'pruned' ? { hash: hex(node.hash) } : { key: hex(node.key), valueHash: hex(node.valueHash) })
  }
}

/** Reads the JSON form of a change proof (an object or its JSON text); throws LEVEL_INVALID_PROOF when malformed. */
export function changeProofFromJson (json: unknown): ChangeProof {
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json)
    } catch {
      throw invalidProof('Not JSON')
    }
  }
  const o = record(json, ['version', 'kind', 'salt', 'count', 'ops', 'nodes'])
  if (o.version !== PROOF_VERSION) throw invalidProof('Unknown proof version')
  if (o.kind !== 'change') throw invalidProof('Not a change proof')
  if (typeof o.count !== 'number' || !Number.isSafeInteger(o.count) || o.count < 0) throw invalidProof('Bad count')
  if (!Array.isArray(o.ops)) throw invalidProof('Bad operations')
  if (!Array.isArray(o.nodes)) throw invalidProof('Bad nodes')
  const proof: ChangeProof = { kind: 'change', salt: unhex(o.salt), count: o.count, ops: o.ops.map(opFromJson), nodes: o.nodes.map(nodeFromJson) }
  // The binary round trip applies every structural check of the decoder.
  return decodeChangeProof(encodeChangeProof(proof))
}

function opFromJson (json: unknown): ChangeOp {
  const o = record(json, ['type', 'key', 'value'])
  if (o.type === 'put' && o.value !== undefined) return { type: 'put', key: unhex(o.key), value: unhex(o.value) }
  if (o.type === 'del' && o.value === undefined) return { type: 'del', key: unhex(o.key) }
  throw invalidProof('Unknown operation form')
}

function nodeFromJson (json: unknown): ChangeProofNode {
  if (json === null) return { type: 'empty' }
  const o = record(json, ['hash', 'key', 'valueHash'])
  const fields = Object.keys(o).sort().join(',')
  if (fields === 'hash') return { type: 'pruned', hash: unhex(o.hash) }
  if (fields === 'key,valueHash') return { type: 'path', key: unhex(o.key), valueHash: unhex(o.valueHash) }
  throw invalidProof('Unknown node form')
}
