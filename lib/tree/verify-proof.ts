/**
 * The proof verifier (docs/MERKLE.md, "Verification"). Pure: it is given a
 * SHA-256 function and touches nothing else, so that it runs unchanged in a
 * browser (verify.ts binds it to a pure-JavaScript hash).
 *
 * Every field of a proof is either hashed into the recomputed root or
 * rejected; the shape is checked against what the construction allows:
 *
 *  1. Walk the nodes in pre-order, giving each position the open key interval
 *     its ancestors allow. An opened node's key must lie strictly inside it
 *     (search-tree order), and its priority, recomputed from the key, must be
 *     below its parent's (heap order): only the canonical treap passes.
 *  2. Recompute every hash bottom-up and the root from salt, count and top.
 *  3. Work out the cover (the query, cut by a reached limit) and check the
 *     proof keeps exactly the nodes the shared rule keeps: pruned subtrees
 *     lie outside the cover, opened nodes meet it, and a node reveals its
 *     value exactly when its key is covered. A pruned subtree can never hide
 *     a covered key, so "absent" and "nothing omitted" are sound.
 *  4. Compare the root, last: a proof that is well formed but for another
 *     state is reported as such.
 *
 * Nothing recurses and there is no depth limit: a deep proof costs time in
 * proportion to its size, and can never turn into a false "absent".
 */
import { bytesEqual, compareBytes } from '../bytes'
import { invalidProof, levelError } from '../errors'
import { EMPTY_HASH, hashingOf, rootWith } from './hash-formulas'
import type { Hashing, Sha256 } from './hash-formulas'
import type { KeyProof, Proof, ProofRange, RangeProof } from './proof'
import { decodeProof, encodeProof } from './proof-codec'
import { covers, disjoint, keyCover, limitedCover, rangeCover } from './proof-range'
import type { Cover } from './proof-range'

/** An entry a proof shows. */
export interface ProvenEntry {
  key: Uint8Array
  value: Uint8Array
}

/**
 * A proven entry with the hashes verification computed for its node: its
 * priority, value hash and node hash, and the hashes of its two children
 * (EMPTY_HASH for none) from which the node hash was computed. Once the
 * proof verifies against a root, these are the hashes of that tree.
 */
export interface HashedEntry extends ProvenEntry {
  priority: Uint8Array
  valueHash: Uint8Array
  nodeHash: Uint8Array
  leftHash: Uint8Array
  rightHash: Uint8Array
}

/** What a key proof proves. */
export type KeyProofResult =
  | { key: Uint8Array, present: true, value: Uint8Array, count: number, salt: Uint8Array }
  | { key: Uint8Array, present: false, count: number, salt: Uint8Array }

/** The keys a range proof covers completely; `null` when it covers none (a limit of 0). */
export interface CoveredRange {
  gt?: Uint8Array
  gte?: Uint8Array
  lt?: Uint8Array
  lte?: Uint8Array
}

/** What a range proof proves: these are all the entries of `covered`, in the query's direction. */
export interface RangeProofResult {
  entries: ProvenEntry[]
  /** The query as the proof states it. */
  range: ProofRange
  /** The part of the key space proven complete: the query's bounds, cut at the last entry when the limit was reached. */
  covered: CoveredRange | null
  /** Entries in the whole database version. */
  count: number
  salt: Uint8Array
}

/** A proof as bytes or as a decoded object. */
export type ProofInput = Proof | Uint8Array

/** Verifies a key proof against `root` (32 bytes or 64 hex digits) and returns what it proves. */
export function verifyKeyProofWith (sha256: Sha256 | Hashing, root: Uint8Array | string, input: ProofInput): KeyProofResult {
  const proof = normalize(input)
  if (proof.kind !== 'key') throw invalidProof('Not a key proof')
  const entries = check(sha256, rootBytes(root), proof, keyCover(proof.key), undefined)
  const base = { key: proof.key, count: proof.count, salt: proof.salt }
  return entries.length === 1 ? { ...base, present: true, value: entries[0].value } : { ...base, present: false }
}

/** Verifies a range proof against `root` and returns the entries it proves and the keys it covers. */
export function verifyRangeProofWith (sha256: Sha256 | Hashing, root: Uint8Array | string, input: ProofInput): RangeProofResult {
  return verifiedRange(sha256, root, input, false)
}

/**
 * {@link verifyRangeProofWith}, with each entry's node hashes as verification
 * computed them: for a reader that builds the tree of the entries it copies
 * (the replica's full sync) without hashing them again.
 */
export function verifyRangeProofHashed (hashing: Sha256 | Hashing, root: Uint8Array | string, input: ProofInput): RangeProofResult & { entries: HashedEntry[] } {
  return verifiedRange(hashing, root, input, true) as RangeProofResult & { entries: HashedEntry[] }
}

function verifiedRange (hasher: Sha256 | Hashing, root: Uint8Array | string, input: ProofInput, hashed: boolean): RangeProofResult {
  const proof = normalize(input)
  if (proof.kind !== 'range') throw invalidProof('Not a range proof')
  let covered: Cover = rangeCover(proof.range)
  const entries = check(hasher, rootBytes(root), proof, covered, c => { covered = c }, hashed)
  if (proof.range.reverse) entries.reverse()
  return { entries, range: proof.range, covered: coveredRange(covered), count: proof.count, salt: proof.salt }
}

function normalize (input: ProofInput): Proof {
  return reencoded(input, encodeProof, decodeProof, 'a proof object')
}

/**
 * A proof given as bytes or as an object, decoded from bytes: objects are
 * re-encoded first, so that they pass the same strict checks as bytes.
 */
export function reencoded<P> (input: Uint8Array | P, encode: (proof: P) => Uint8Array, decode: (bytes: Uint8Array) => P, what: string): P {
  if (input instanceof Uint8Array) return decode(input)
  if (input === null || typeof input !== 'object') throw invalidProof(`Not ${what}`)
  let bytes: Uint8Array
  try {
    bytes = encode(input)
  } catch (err) {
    if ((err as { code?: unknown }).code === 'LEVEL_INVALID_PROOF') throw err
    throw invalidProof(`Not ${what}`)
  }
  return decode(bytes)
}

/** A trusted root given as 32 bytes or 64 hex digits of either case, as bytes; anything else is LEVEL_INVALID_VALUE. */
export function rootBytes (root: Uint8Array | string): Uint8Array {
  if (typeof root === 'string' && /^[0-9a-fA-F]{64}$/.test(root)) {
    const bytes = new Uint8Array(32)
    for (let i = 0; i < 32; i++) bytes[i] = parseInt(root.slice(2 * i, 2 * i + 2), 16)
    return bytes
  }
  if (root instanceof Uint8Array && root.length === 32) return root
  throw levelError('A root is 32 bytes or 64 hexadecimal digits', 'LEVEL_INVALID_VALUE')
}

/** Where a node of a proof sits: the open interval of its keys and its parent's priority. */
export interface Position {
  low: Uint8Array | null
  high: Uint8Array | null
  /** Priority of the parent node; null at the top. */
  parentPriority: Uint8Array | null
}

/**
 * The priority of an opened node's key, after checking that the key lies in
 * its position's interval and the priority below its parent's: the only
 * placement the canonical tree allows.
 */
export function placedPriority (hashing: Hashing, salt: Uint8Array, key: Uint8Array, at: Position): Uint8Array {
  if ((at.low !== null && compareBytes(key, at.low) <= 0) || (at.high !== null && compareBytes(key, at.high) >= 0)) {
    throw invalidProof('Keys out of search-tree order')
  }
  const priority = hashing.priority(salt, key)
  if (at.parentPriority !== null && compareBytes(priority, at.parentPriority) >= 0) {
    throw invalidProof('Priorities out of heap order: not the canonical tree')
  }
  return priority
}

/**
 * Steps 1-4 of the file header. Returns the covered entries in key order;
 * for a range proof, `onCover` receives the cover after the limit.
 */
function check (
  hasher: Sha256 | Hashing, root: Uint8Array, proof: KeyProof | RangeProof, queryCover: Cover, onCover: ((cover: Cover) => void) | undefined, hashed = false
): ProvenEntry[] {
  const hashing = hashingOf(hasher)
  const nodes = proof.nodes
  const positions: Position[] = new Array(nodes.length)
  const entries: ProvenEntry[] = []
  // With `hashed`: each entry node's entry, by node index, to take its hashes in step 2.
  const entryAt: Array<Partial<HashedEntry> | undefined> = hashed ? new Array(nodes.length) : []
  let opened = 0

  // 1. Intervals, search-tree order and heap order, in pre-order.
  const slots: Position[] = [{ low: null, high: null, parentPriority: null }]
  for (let i = 0; i < nodes.length; i++) {
    const slot = slots.pop()
    if (slot === undefined) throw invalidProof('Nodes after the tree is complete')
    positions[i] = slot
    const node = nodes[i]
    if (node.type !== 'entry' && node.type !== 'path') continue
    opened++
    const key = node.key
    const priority = placedPriority(hashing, proof.salt, key, slot)
    if (node.type === 'entry') {
      const entry: ProvenEntry = hashed ? { key: node.key, value: node.value, priority } as HashedEntry : { key: node.key, value: node.value }
      entries.push(entry)
      if (hashed) entryAt[i] = entry
    }
    slots.push({ low: key, high: slot.high, parentPriority: priority })
    slots.push({ low: slot.low, high: key, parentPriority: priority })
  }
  if (slots.length !== 0) throw invalidProof('The tree is incomplete')
  if (opened > proof.count) throw invalidProof('More nodes than the count of entries')
  if ((proof.count === 0) !== (nodes[0].type === 'empty')) throw invalidProof('Count and emptiness disagree')

  // 2. Hashes bottom-up: in reverse pre-order a node finds its left, then its right hash on the stack.
  const hashes: Uint8Array[] = []
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]
    if (node.type === 'empty') hashes.push(EMPTY_HASH)
    else if (node.type === 'pruned') hashes.push(node.hash)
    else {
      const left = hashes.pop() as Uint8Array
      const right = hashes.pop() as Uint8Array
      const valueHash = node.type === 'entry' ? hashing.valueHash(node.value) : node.valueHash
      const nodeHash = hashing.nodeHash(left, right, valueHash, node.key)
      hashes.push(nodeHash)
      const entry = hashed ? entryAt[i] : undefined
      if (entry !== undefined) {
        entry.valueHash = valueHash
        entry.nodeHash = nodeHash
        entry.leftHash = left
        entry.rightHash = right
      }
    }
  }
  const computed = rootWith(hashing.sha256, proof.salt, proof.count, hashes[0])

  // 3. The cover, and exactly the nodes the rule keeps. Entries are in key order (step 1 checked it
  // for each path; sorting makes it explicit for the whole list).
  entries.sort((a, b) => compareBytes(a.key, b.key))
  // Before a reached limit narrows the cover to the entries shown, they must lie in the query:
  // narrowing to an entry outside it would widen the cover instead.
  for (const entry of entries) if (!covers(queryCover, entry.key)) throw invalidProof('A value revealed outside the query')
  const cover = proof.kind === 'range'
    ? limitedCover(queryCover, proof.range, entries.length, entries[0]?.key, entries[entries.length - 1]?.key)
    : queryCover
  if (proof.kind === 'range' && proof.range.limit !== undefined && entries.length > proof.range.limit) {
    throw invalidProof('More entries than the limit')
  }
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]
    const { low, high } = positions[i]
    if (node.type === 'empty') continue
    const outside = disjoint(cover, low, high)
    if (node.type === 'pruned') {
      if (!outside) throw invalidProof('A pruned subtree may hold covered keys')
    } else if (outside) {
      throw invalidProof('A node opened outside the cover')
    } else if ((node.type === 'entry') !== covers(cover, node.key)) {
      throw invalidProof(node.type === 'entry' ? 'A value revealed outside the cover' : 'A covered entry without its value')
    }
  }
  onCover?.(cover)

  // 4. The root.
  if (!bytesEqual(computed, root)) throw levelError('The proof is for another root', 'LEVEL_PROOF_ROOT_MISMATCH')
  return entries
}

function coveredRange (cover: Cover): CoveredRange | null {
  if (cover.none) return null
  const range: CoveredRange = {}
  if (cover.lower !== undefined) range[cover.lower.inclusive ? 'gte' : 'gt'] = cover.lower.key
  if (cover.upper !== undefined) range[cover.upper.inclusive ? 'lte' : 'lt'] = cover.upper.key
  return range
}
