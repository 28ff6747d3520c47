/**
 * Sections of RESULTS.md that a run of their own writes between markers
 * (`<!-- NAME:begin ... -->` and `<!-- NAME:end -->`), and that every other
 * run carries over as they are.
 */

/** The section `name` of an earlier RESULTS.md, markers included; null when it has none. */
export function keptSection (previous: string | null, name: string): string | null {
  if (previous === null) return null
  const end = `<!-- ${name}:end -->`
  const begin = previous.indexOf(`<!-- ${name}:begin`)
  const stop = previous.indexOf(end)
  return begin === -1 || stop < begin ? null : previous.slice(begin, stop + end.length)
}

/** `previous` (null: no file yet) with its section `name` replaced by `section`, or `section` appended. */
export function spliceSection (previous: string | null, name: string, section: string): string {
  const old = keptSection(previous, name)
  if (previous === null) return section + '\n'
  if (old === null) return previous.replace(/\n*$/, '\n\n') + section + '\n'
  // A function, so that `$` in the section is not a replacement pattern.
  return previous.replace(old, () => section)
}
