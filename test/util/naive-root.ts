/**
 * An independent, deliberately naive recomputation of a root from a sorted
 * dump, written from docs/MERKLE.md alone and sharing no code with lib/: the
 * top node is the entry of highest priority, its left and right subtrees are
 * built the same way from the entries below and above it. Quadratic in the
 * worst case; for checking the spec on small sets.
 */
import { createHash } from 'node:crypto'

function sha256 (...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256')
  for (const part of parts) h.update(part)
  return h.digest()
}

function u32be (n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

function u64be (n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}

/** The root of `entries` (ascending, distinct keys) with the given salt. */
export function naiveRoot (entries: Array<[Uint8Array, Uint8Array]>, salt: Uint8Array = new Uint8Array(0)): Buffer {
  for (let i = 1; i < entries.length; i++) {
    if (Buffer.compare(Buffer.from(entries[i - 1][0]), Buffer.from(entries[i][0])) >= 0) throw new Error('not ascending')
  }
  const priorities = entries.map(([key]) => sha256(Buffer.of(0x03), salt, key))
  const subtree = (from: number, to: number): Buffer => {
    if (from >= to) return Buffer.alloc(32)
    let top = from
    for (let i = from + 1; i < to; i++) if (Buffer.compare(priorities[i], priorities[top]) > 0) top = i
    const [key, value] = entries[top]
    return sha256(Buffer.of(0x01), subtree(from, top), subtree(top + 1, to), sha256(Buffer.of(0x02), value), u32be(key.length), key)
  }
  return sha256(Buffer.of(0x04), Buffer.from('merkle-level/v1', 'ascii'), Buffer.of(salt.length), salt, u64be(entries.length), subtree(0, entries.length))
}
