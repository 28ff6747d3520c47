/**
 * The binary form of a `nodes` answer (docs/REPLICATION.md, `nodes`): each
 * node as a flags byte (bit 0: a left child, bit 1: a right child), its key
 * and its value each after a 32-bit big-endian length, then the node hash of
 * each child present. About half the bytes of the JSON form, whose keys,
 * values and hashes are hexadecimal.
 */

/** A node as `nodes` sends it: its entry and its children's node hashes (null: an empty child). */
export interface ServedNode {
  key: Uint8Array
  value: Uint8Array
  left: Uint8Array | null
  right: Uint8Array | null
}

const HASH_BYTES = 32
const LEFT = 1
const RIGHT = 2

/** The bytes `node` takes in the binary form. */
export function servedNodeSize (node: ServedNode): number {
  return 9 + node.key.length + node.value.length + (node.left === null ? 0 : HASH_BYTES) + (node.right === null ? 0 : HASH_BYTES)
}

/** The binary form of `nodes`, in order. */
export function encodeServedNodes (nodes: readonly ServedNode[]): Uint8Array {
  let size = 0
  for (const node of nodes) size += servedNodeSize(node)
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  let at = 0
  for (const node of nodes) {
    out[at++] = (node.left === null ? 0 : LEFT) | (node.right === null ? 0 : RIGHT)
    for (const bytes of [node.key, node.value]) {
      view.setUint32(at, bytes.length)
      out.set(bytes, at + 4)
      at += 4 + bytes.length
    }
    for (const hash of [node.left, node.right]) {
      if (hash === null) continue
      if (hash.length !== HASH_BYTES) throw new Error('A node hash is 32 bytes')
      out.set(hash, at)
      at += HASH_BYTES
    }
  }
  return out
}

/** The nodes of a binary answer, or a message saying why it is malformed. */
export function decodeServedNodes (bytes: Uint8Array): ServedNode[] | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const nodes: ServedNode[] = []
  let at = 0
  const take = (length: number): Uint8Array | null => {
    if (length > bytes.length - at) return null
    at += length
    return bytes.subarray(at - length, at)
  }
  const lengthPrefixed = (): Uint8Array | null => {
    if (bytes.length - at < 4) return null
    const length = view.getUint32(at)
    at += 4
    return take(length)
  }
  while (at < bytes.length) {
    const flags = bytes[at++]
    if ((flags & ~(LEFT | RIGHT)) !== 0) return `node ${nodes.length} has unknown flags ${flags}`
    const key = lengthPrefixed()
    const value = key === null ? null : lengthPrefixed()
    if (key === null || value === null) return `node ${nodes.length} ends early`
    const left = (flags & LEFT) === 0 ? null : take(HASH_BYTES)
    const right = (flags & RIGHT) === 0 ? null : take(HASH_BYTES)
    if (((flags & LEFT) !== 0 && left === null) || ((flags & RIGHT) !== 0 && right === null)) return `node ${nodes.length} ends early`
    nodes.push({ key, value, left, right })
  }
  return nodes
}
