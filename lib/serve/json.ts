/**
 * The JSON forms of what the endpoints send besides proofs (which have their
 * own, docs/MERKLE.md §5 and §11.4): the operations of a committed batch.
 * Byte strings are lower-case hexadecimal, as in proofs.
 */
import { toHex } from '../bytes'
import type { FeedOperation, FeedRange } from '../level/changes'

/** An operation of a batch as JSON. */
export type OperationJson =
  | { type: 'put', key: string, value: string }
  | { type: 'del', key: string }
  | { type: 'clear', range: RangeJson }

/** The range of a clear as JSON: the bounds it has, its limit if any, `reverse` always. */
export interface RangeJson { gt?: string, gte?: string, lt?: string, lte?: string, limit?: number, reverse: boolean }

/** The JSON form of one operation. */
export function operationToJson (op: FeedOperation<Uint8Array, Uint8Array>): OperationJson {
  if (op.type === 'put') return { type: 'put', key: toHex(op.key), value: toHex(op.value) }
  if (op.type === 'del') return { type: 'del', key: toHex(op.key) }
  return { type: 'clear', range: rangeToJson(op.range) }
}

function rangeToJson (range: FeedRange<Uint8Array>): RangeJson {
  const json: RangeJson = { reverse: range.reverse === true }
  for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
    const key = range[bound]
    if (key !== undefined) json[bound] = toHex(key)
  }
  if (range.limit !== undefined && range.limit >= 0) json.limit = range.limit
  return json
}
