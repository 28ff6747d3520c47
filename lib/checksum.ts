/**
 * CRC-32C (Castagnoli), the checksum of every WAL record and snapshot file.
 * `@node-rs/crc32` computes it with SIMD instructions (several GB/s), so that
 * checking a snapshot at open costs little next to hashing it.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32'

/** CRC-32C of `bytes`, continuing from `seed` (0 to start). Returns an unsigned 32-bit integer. */
export function crc32c (bytes: Uint8Array, seed = 0): number {
  return nativeCrc32c(bytes, seed) >>> 0
}
