/**
 * fast-check arbitraries shared by the property tests: small key alphabets so
 * that operations collide often, byte values, ranges and write operations.
 */
import fc from 'fast-check'
import type { ModelRange } from './model'

/** Keys from a small space (0-3 bytes of 0x00, 0x61, 0x62, 0xff) so that puts, deletes and ranges collide. */
export const smallKey = fc.array(fc.constantFrom(0x00, 0x61, 0x62, 0xff), { maxLength: 3 }).map(a => Uint8Array.from(a))

/** Values of 0-8 arbitrary bytes. */
export const smallValue = fc.uint8Array({ maxLength: 8 })

/** A range with optional bounds on each side, a limit and a direction. */
export const range: fc.Arbitrary<ModelRange> = fc.record({
  low: fc.option(fc.record({ key: smallKey, inclusive: fc.boolean() }), { nil: undefined }),
  high: fc.option(fc.record({ key: smallKey, inclusive: fc.boolean() }), { nil: undefined }),
  limit: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  reverse: fc.boolean()
}).map(({ low, high, limit, reverse }) => {
  const r: ModelRange = { reverse }
  if (low !== undefined) r[low.inclusive ? 'gte' : 'gt'] = low.key
  if (high !== undefined) r[high.inclusive ? 'lte' : 'lt'] = high.key
  if (limit !== undefined) r.limit = limit
  return r
})

/** One write operation of a batch. */
export type TestOp =
  | { type: 'put', key: Uint8Array, value: Uint8Array }
  | { type: 'del', key: Uint8Array }

/** A put or a del. */
export const writeOp: fc.Arbitrary<TestOp> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key: smallKey, value: smallValue }),
  fc.record({ type: fc.constant('del' as const), key: smallKey })
)
