/**
 * The binary encoding of change proofs (docs/MERKLE.md, "Change proofs"):
 *
 *     u8      version (1)
 *     u8      kind: 3 change proof (1 and 2 are key and range proofs)
 *     u8      salt length (0..32), then the salt
 *     u64be   entry count of R1 (at most 2^53 - 1)
 *     varint  number of operations, then each one of
 *               0x01  put: varint key length, key, varint value length, value
 *               0x02  del: varint key length, key
 *     nodes   R1's pruned tree in pre-order, each one of
 *               0x00  empty subtree
 *               0x01  pruned subtree: 32-byte hash (never all zeros)
 *               0x03  opened node: varint key length, key, 32-byte value hash
 *
 * The operations are those of a batch record (lib/store/batch-record.ts)
 * without ranged clears. Varints are minimal LEB128 of at most 2^32 - 1; the
 * node list ends when every child slot is filled and nothing may follow.
 */
import { ByteReader, varintLength, writeVarint } from '../bytes'
import { invalidProof } from '../errors'
import { MAX_PROOF_SALT_LENGTH, PROOF_VERSION } from './proof'
import { need, readU64BE, writeU64BE } from './proof-codec'
import type { ChangeOp, ChangeProof, ChangeProofNode } from './change-proof'

/** The kind byte of a change proof. */
export const KIND_CHANGE = 3

const OP_PUT = 0x01
const OP_DEL = 0x02
const NODE_EMPTY = 0x00
const NODE_PRUNED = 0x01
const NODE_OPENED = 0x03
const DIGEST = 32

/** Encodes a change proof into its binary form. */
export function encodeChangeProof (proof: ChangeProof): Uint8Array {
  checkShape(proof)
  const out = new Uint8Array(encodedSize(proof))
  let at = 0
  out[at++] = PROOF_VERSION
  out[at++] = KIND_CHANGE
  out[at++] = proof.salt.length
  out.set(proof.salt, at)
  at += proof.salt.length
  writeU64BE(out, at, proof.count)
  at += 8
  at = writeVarint(out, at, proof.ops.length)
  for (const op of proof.ops) {
    out[at++] = op.type === 'put' ? OP_PUT : OP_DEL
    at = writeBytes(out, at, op.key)
    if (op.type === 'put') at = writeBytes(out, at, op.value)
  }
  for (const node of proof.nodes) {
    if (node.type === 'empty') {
      out[at++] = NODE_EMPTY
    } else if (node.type === 'pruned') {
      out[at++] = NODE_PRUNED
      out.set(node.hash, at)
      at += DIGEST
    } else {
      out[at++] = NODE_OPENED
      at = writeBytes(out, at, node.key)
      out.set(node.valueHash, at)
      at += DIGEST
    }
  }
  return out
}

/** Decodes a binary change proof; throws LEVEL_INVALID_PROOF on anything malformed or left over. */
export function decodeChangeProof (bytes: Uint8Array): ChangeProof {
  if (!(bytes instanceof Uint8Array)) throw invalidProof('A proof must be a Uint8Array')
  const reader = new ByteReader(bytes)
  if (reader.u8() !== PROOF_VERSION) throw invalidProof('Unknown proof version')
  if (reader.u8() !== KIND_CHANGE) throw invalidProof('Not a change proof')
  const saltLength = need(reader.u8(), 'salt length')
  if (saltLength > MAX_PROOF_SALT_LENGTH) throw invalidProof('Salt too long')
  const salt = need(reader.take(saltLength), 'salt').slice()
  const count = readU64BE(reader)
  const ops = readOps(reader)
  return { kind: 'change', salt, count, ops, nodes: readNodes(reader) }
}

function readOps (reader: ByteReader): ChangeOp[] {
  const n = need(reader.varint(), 'operation count')
  // Each operation takes at least two bytes: refuse a count the bytes cannot hold before looping.
  if (n > reader.remaining / 2) throw invalidProof('More operations than the proof can hold')
  const ops: ChangeOp[] = []
  for (let i = 0; i < n; i++) {
    const type = need(reader.u8(), 'operation')
    const key = need(reader.lengthPrefixed(), 'operation key').slice()
    if (type === OP_PUT) ops.push({ type: 'put', key, value: need(reader.lengthPrefixed(), 'operation value').slice() })
    else if (type === OP_DEL) ops.push({ type: 'del', key })
    else throw invalidProof('Unknown operation type')
  }
  return ops
}

// Pre-order until every child slot is filled: one slot to start, an opened node fills one and opens two.
function readNodes (reader: ByteReader): ChangeProofNode[] {
  const nodes: ChangeProofNode[] = []
  let open = 1
  while (open > 0) {
    const tag = need(reader.u8(), 'node')
    open--
    if (tag === NODE_EMPTY) {
      nodes.push({ type: 'empty' })
    } else if (tag === NODE_PRUNED) {
      const hash = need(reader.take(DIGEST), 'pruned hash').slice()
      if (hash.every(b => b === 0)) throw invalidProof('A pruned subtree with the empty hash')
      nodes.push({ type: 'pruned', hash })
    } else if (tag === NODE_OPENED) {
      const key = need(reader.lengthPrefixed(), 'node key').slice()
      const valueHash = need(reader.take(DIGEST), 'value hash').slice()
      nodes.push({ type: 'path', key, valueHash })
      open += 2
    } else {
      throw invalidProof('Unknown node tag')
    }
  }
  if (reader.remaining !== 0) throw invalidProof('Bytes after the end of the proof')
  return nodes
}

function writeBytes (buf: Uint8Array, at: number, bytes: Uint8Array): number {
  at = writeVarint(buf, at, bytes.length)
  buf.set(bytes, at)
  return at + bytes.length
}

function sized (bytes: Uint8Array): number {
  return varintLength(bytes.length) + bytes.length
}

function encodedSize (proof: ChangeProof): number {
  let size = 3 + proof.salt.length + 8 + varintLength(proof.ops.length)
  for (const op of proof.ops) size += 1 + sized(op.key) + (op.type === 'put' ? sized(op.value) : 0)
  for (const node of proof.nodes) {
    if (node.type === 'empty') size += 1
    else if (node.type === 'pruned') size += 1 + DIGEST
    else size += 1 + sized(node.key) + DIGEST
  }
  return size
}

// Refuses, before encoding, what the format cannot state (so encode never writes what decode refuses).
function checkShape (proof: ChangeProof): void {
  if (proof.kind !== 'change') throw invalidProof('Not a change proof')
  if (!(proof.salt instanceof Uint8Array) || proof.salt.length > MAX_PROOF_SALT_LENGTH) throw invalidProof('Bad salt')
  if (!Number.isSafeInteger(proof.count) || proof.count < 0) throw invalidProof('Count must be an integer 0..2^53-1')
  if (!Array.isArray(proof.ops) || proof.ops.length > 0xffffffff) throw invalidProof('Bad operations')
  if (!Array.isArray(proof.nodes)) throw invalidProof('Bad nodes')
  for (const op of proof.ops) {
    if (op === null || typeof op !== 'object' || !(op.key instanceof Uint8Array)) throw invalidProof('An operation needs a key of bytes')
    if (op.type === 'put' ? !(op.value instanceof Uint8Array) : op.type !== 'del') throw invalidProof('Bad operation')
  }
  for (const node of proof.nodes) {
    if (node === null || typeof node !== 'object') throw invalidProof('Bad node')
    if (node.type === 'pruned' ? !(node.hash instanceof Uint8Array) || node.hash.length !== DIGEST : false) throw invalidProof('A pruned hash must be 32 bytes')
    if (node.type === 'path' && (!(node.key instanceof Uint8Array) || !(node.valueHash instanceof Uint8Array) || node.valueHash.length !== DIGEST)) {
      throw invalidProof('An opened node needs a key and a 32-byte value hash')
    }
    if (node.type !== 'empty' && node.type !== 'pruned' && node.type !== 'path') throw invalidProof('Unknown node type')
  }
}
