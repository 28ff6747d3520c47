/**
 * The binary encoding of proofs (docs/MERKLE.md, "Binary encoding"):
 *
 *     u8      version (1)
 *     u8      kind: 1 key, 2 range
 *     u8      salt length (0..32), then the salt
 *     u64be   entry count (at most 2^53 - 1)
 *     query   key:   varint length, key
 *             range: u8 flags, [varint length, lower bound], [varint length, upper bound], [varint limit]
 *     nodes   pre-order, each one of
 *               0x00  empty subtree
 *               0x01  pruned subtree: 32-byte hash (never all zeros)
 *               0x02  entry: varint key length, key, varint value length, value
 *               0x03  path node: varint key length, key, 32-byte value hash
 *
 * Varints are LEB128, minimal, at most 2^32 - 1. The node list ends when
 * every child slot is filled; nothing may follow. Every length is checked
 * against the bytes left before anything is allocated.
 */
import { ByteReader, varintLength, writeVarint } from '../bytes'
import { invalidProof } from '../errors'
import { MAX_PROOF_LIMIT, MAX_PROOF_SALT_LENGTH, PROOF_VERSION } from './proof'
import type { Proof, ProofNode, ProofRange } from './proof'

const KIND_KEY = 1
const KIND_RANGE = 2

const NODE_EMPTY = 0x00
const NODE_PRUNED = 0x01
const NODE_ENTRY = 0x02
const NODE_PATH = 0x03

const FLAG_LOWER = 0x01
const FLAG_LOWER_INCLUSIVE = 0x02
const FLAG_UPPER = 0x04
const FLAG_UPPER_INCLUSIVE = 0x08
const FLAG_REVERSE = 0x10
const FLAG_LIMIT = 0x20

/** Encodes a proof into its compact binary form. */
export function encodeProof (proof: Proof): Uint8Array {
  checkShape(proof)
  const out = new Uint8Array(encodedSize(proof))
  let at = 0
  out[at++] = PROOF_VERSION
  out[at++] = proof.kind === 'key' ? KIND_KEY : KIND_RANGE
  out[at++] = proof.salt.length
  out.set(proof.salt, at)
  at += proof.salt.length
  writeU64BE(out, at, proof.count)
  at += 8
  if (proof.kind === 'key') {
    at = writeBytes(out, at, proof.key)
  } else {
    const { lower, upper } = boundsOf(proof.range)
    out[at++] = flagsOf(proof.range)
    if (lower !== undefined) at = writeBytes(out, at, lower)
    if (upper !== undefined) at = writeBytes(out, at, upper)
    if (proof.range.limit !== undefined) at = writeVarint(out, at, proof.range.limit)
  }
  for (const node of proof.nodes) at = writeNode(out, at, node)
  return out
}

/** Decodes a binary proof; throws LEVEL_INVALID_PROOF on anything malformed or left over. */
export function decodeProof (bytes: Uint8Array): Proof {
  if (!(bytes instanceof Uint8Array)) throw invalidProof('A proof must be a Uint8Array')
  const reader = new ByteReader(bytes)
  if (reader.u8() !== PROOF_VERSION) throw invalidProof('Unknown proof version')
  const kind = reader.u8()
  if (kind !== KIND_KEY && kind !== KIND_RANGE) throw invalidProof('Unknown proof kind')
  const saltLength = need(reader.u8(), 'salt length')
  if (saltLength > MAX_PROOF_SALT_LENGTH) throw invalidProof('Salt too long')
  const salt = copy(need(reader.take(saltLength), 'salt'))
  const count = readU64BE(reader)
  if (kind === KIND_KEY) {
    const key = copy(need(reader.lengthPrefixed(), 'key'))
    return { kind: 'key', salt, count, key, nodes: readNodes(reader) }
  }
  const range = readRange(reader)
  return { kind: 'range', salt, count, range, nodes: readNodes(reader) }
}

function readRange (reader: ByteReader): ProofRange {
  const flags = need(reader.u8(), 'range flags')
  if ((flags & ~0x3f) !== 0) throw invalidProof('Unknown range flags')
  if ((flags & FLAG_LOWER) === 0 && (flags & FLAG_LOWER_INCLUSIVE) !== 0) throw invalidProof('Inclusive flag without a lower bound')
  if ((flags & FLAG_UPPER) === 0 && (flags & FLAG_UPPER_INCLUSIVE) !== 0) throw invalidProof('Inclusive flag without an upper bound')
  const range: { -readonly [K in keyof ProofRange]: ProofRange[K] } = { reverse: (flags & FLAG_REVERSE) !== 0 }
  if ((flags & FLAG_LOWER) !== 0) {
    range[(flags & FLAG_LOWER_INCLUSIVE) !== 0 ? 'gte' : 'gt'] = copy(need(reader.lengthPrefixed(), 'lower bound'))
  }
  if ((flags & FLAG_UPPER) !== 0) {
    range[(flags & FLAG_UPPER_INCLUSIVE) !== 0 ? 'lte' : 'lt'] = copy(need(reader.lengthPrefixed(), 'upper bound'))
  }
  if ((flags & FLAG_LIMIT) !== 0) range.limit = need(reader.varint(), 'limit')
  return range
}

// Pre-order until every child slot is filled: one slot to start, a node fills one and opens two.
function readNodes (reader: ByteReader): ProofNode[] {
  const nodes: ProofNode[] = []
  let open = 1
  while (open > 0) {
    const tag = need(reader.u8(), 'node')
    open--
    if (tag === NODE_EMPTY) {
      nodes.push({ type: 'empty' })
    } else if (tag === NODE_PRUNED) {
      const hash = copy(need(reader.take(32), 'pruned hash'))
      if (hash.every(b => b === 0)) throw invalidProof('A pruned subtree with the empty hash')
      nodes.push({ type: 'pruned', hash })
    } else if (tag === NODE_ENTRY) {
      const key = copy(need(reader.lengthPrefixed(), 'entry key'))
      const value = copy(need(reader.lengthPrefixed(), 'entry value'))
      nodes.push({ type: 'entry', key, value })
      open += 2
    } else if (tag === NODE_PATH) {
      const key = copy(need(reader.lengthPrefixed(), 'path key'))
      const valueHash = copy(need(reader.take(32), 'value hash'))
      nodes.push({ type: 'path', key, valueHash })
      open += 2
    } else {
      throw invalidProof('Unknown node tag')
    }
  }
  if (reader.remaining !== 0) throw invalidProof('Bytes after the end of the proof')
  return nodes
}

/** `value`, unless the reader gave null (truncated or malformed): then LEVEL_INVALID_PROOF naming `what`. */
export function need<T> (value: T | null, what: string): T {
  if (value === null) throw invalidProof(`Truncated or malformed ${what}`)
  return value
}

function copy (view: Uint8Array): Uint8Array {
  return view.slice()
}

/** Reads an entry count: u64be, at most 2^53 - 1. */
export function readU64BE (reader: ByteReader): number {
  const bytes = need(reader.take(8), 'count')
  const hi = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0
  const lo = ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0
  if (hi > 0x1fffff) throw invalidProof('Count above 2^53 - 1')
  return hi * 0x100000000 + lo
}

/** Writes an entry count as u64be. */
export function writeU64BE (buf: Uint8Array, at: number, value: number): void {
  const hi = Math.floor(value / 0x100000000)
  const lo = value % 0x100000000
  for (let i = 0; i < 4; i++) {
    buf[at + i] = (hi >>> (24 - 8 * i)) & 0xff
    buf[at + 4 + i] = (lo >>> (24 - 8 * i)) & 0xff
  }
}

function writeBytes (buf: Uint8Array, at: number, bytes: Uint8Array): number {
  at = writeVarint(buf, at, bytes.length)
  buf.set(bytes, at)
  return at + bytes.length
}

function writeNode (buf: Uint8Array, at: number, node: ProofNode): number {
  switch (node.type) {
    case 'empty':
      buf[at] = NODE_EMPTY
      return at + 1
    case 'pruned':
      buf[at] = NODE_PRUNED
      buf.set(node.hash, at + 1)
      return at + 33
    case 'entry':
      buf[at] = NODE_ENTRY
      return writeBytes(buf, writeBytes(buf, at + 1, node.key), node.value)
    case 'path':
      buf[at] = NODE_PATH
      at = writeBytes(buf, at + 1, node.key)
      buf.set(node.valueHash, at)
      return at + 32
  }
}

function sizedBytes (bytes: Uint8Array): number {
  return varintLength(bytes.length) + bytes.length
}

function encodedSize (proof: Proof): number {
  let size = 3 + proof.salt.length + 8
  if (proof.kind === 'key') {
    size += sizedBytes(proof.key)
  } else {
    const { lower, upper } = boundsOf(proof.range)
    size += 1 + (lower === undefined ? 0 : sizedBytes(lower)) + (upper === undefined ? 0 : sizedBytes(upper))
    if (proof.range.limit !== undefined) size += varintLength(proof.range.limit)
  }
  for (const node of proof.nodes) {
    if (node.type === 'empty') size += 1
    else if (node.type === 'pruned') size += 33
    else if (node.type === 'entry') size += 1 + sizedBytes(node.key) + sizedBytes(node.value)
    else size += 1 + sizedBytes(node.key) + 32
  }
  return size
}

function boundsOf (range: ProofRange): { lower?: Uint8Array, upper?: Uint8Array } {
  return { lower: range.gte ?? range.gt, upper: range.lte ?? range.lt }
}

function flagsOf (range: ProofRange): number {
  let flags = 0
  if (range.gte !== undefined) flags |= FLAG_LOWER | FLAG_LOWER_INCLUSIVE
  else if (range.gt !== undefined) flags |= FLAG_LOWER
  if (range.lte !== undefined) flags |= FLAG_UPPER | FLAG_UPPER_INCLUSIVE
  else if (range.lt !== undefined) flags |= FLAG_UPPER
  if (range.reverse) flags |= FLAG_REVERSE
  if (range.limit !== undefined) flags |= FLAG_LIMIT
  return flags
}

// Refuses, before encoding, what the format cannot state (so encode never writes a proof decode would refuse).
function checkShape (proof: Proof): void {
  if (proof.salt.length > MAX_PROOF_SALT_LENGTH) throw invalidProof('Salt too long')
  if (!Number.isSafeInteger(proof.count) || proof.count < 0) throw invalidProof('Count must be an integer 0..2^53-1')
  if (proof.kind === 'range') {
    const { gt, gte, lt, lte, limit } = proof.range
    if (gt !== undefined && gte !== undefined) throw invalidProof('Both gt and gte')
    if (lt !== undefined && lte !== undefined) throw invalidProof('Both lt and lte')
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0 || limit > MAX_PROOF_LIMIT)) throw invalidProof('Limit out of range')
  }
  for (const node of proof.nodes) {
    if (node.type === 'pruned' && node.hash.length !== 32) throw invalidProof('A pruned hash must be 32 bytes')
    if (node.type === 'path' && node.valueHash.length !== 32) throw invalidProof('A value hash must be 32 bytes')
  }
}
