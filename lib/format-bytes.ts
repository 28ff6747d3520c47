/**
 * Byte counts as people read them, for the command line and the web page:
 * plain code, so that the page's bundle can take it too.
 */

/** Bytes as text: B, KiB, MiB, GiB, TiB ("1.2 KiB"). */
export function formatBytes (n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = n / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}
