/**
 * Numbers as the report prints them: throughputs with thousands
 * separators, times and sizes with as many decimals as they need, ratios
 * with two.
 */
import type { Unit } from '../catalog'

/** Text of a value of `unit`; "n/a" when there is none. */
export function formatValue (value: number | undefined, unit: Unit | string): string {
  if (value === undefined) return 'n/a'
  if (unit.endsWith('/s')) return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3)
  return formatAmount(value)
}

/** A time or a size: three significant digits below 100, whole numbers above. */
export function formatAmount (value: number): string {
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US')
  if (Math.abs(value) >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

/** A ratio such as "1.85x"; "n/a" when either side is missing. */
export function formatRatio (ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return 'n/a'
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}x`
}

/** `a / b`, or undefined when either is missing or b is zero. */
export function ratio (a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b
}

/** Bytes as "24.0 GiB". */
export function formatBytes (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++ }
  return `${value.toFixed(1)} ${units[unit]}`
}
