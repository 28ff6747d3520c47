/**
 * The parallel entry digests of a large snapshot (a worker and this thread
 * sharing chunks) equal those computed on one thread, entry by entry.
 */
import test from 'tape'
import { randomBytes } from 'node:crypto'
import { PARALLEL_THRESHOLD, digestRange, entryDigests } from '../../lib/store/entry-digests'
import { DIGEST_LENGTH } from '../../lib/hash'

test('entry digests: two threads give exactly what one thread gives', async t => {
  const count = PARALLEL_THRESHOLD + 12345
  // Keys of 1-20 bytes and values of 0-60 bytes, laid out back to back.
  const spans = new Uint32Array(4 * count)
  let size = 0
  for (let i = 0; i < count; i++) {
    spans[4 * i] = size
    spans[4 * i + 1] = 1 + (i % 20)
    spans[4 * i + 2] = size + spans[4 * i + 1]
    spans[4 * i + 3] = (i * 7) % 61
    size += spans[4 * i + 1] + spans[4 * i + 3]
  }
  const bytes = randomBytes(size)
  const salt = Uint8Array.of(1, 2, 3)
  const parallel = await entryDigests(bytes, spans, salt)
  const single = { priorities: new Int32Array(count), valueHashes: new Uint8Array(count * DIGEST_LENGTH) }
  digestRange(bytes, spans, salt, 0, count, single)
  let priorityMismatches = 0
  for (let i = 0; i < count; i++) if (parallel.priorities[i] !== single.priorities[i]) priorityMismatches++
  let hashMismatches = 0
  for (let i = 0; i < count * DIGEST_LENGTH; i++) if (parallel.valueHashes[i] !== single.valueHashes[i]) hashMismatches++
  t.is(priorityMismatches, 0, `all ${count} priorities equal`)
  t.is(hashMismatches, 0, `all ${count} value hashes equal`)
  t.ok(parallel.priorities.some(p => p !== 0), 'priorities were computed')
})
