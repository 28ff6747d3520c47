/**
 * The exit codes of `merkle-level`, which scripts can rely on (docs/CLI.md).
 */
export const ExitCode = Object.freeze({
  /** Success. */
  ok: 0,
  /** The answer is no: verify found a problem, get found no such key, a proof was rejected, repair needs --yes. */
  no: 1,
  /** Bad arguments, options or input. */
  usage: 2,
  /** Another process holds the database (LEVEL_LOCKED). */
  locked: 3,
  /** The database is damaged and open() refuses it (LEVEL_CORRUPTION): run verify, then repair. */
  damaged: 4,
  /** There is no database at that location. */
  missing: 5,
  /** Any other failure, such as an I/O error. */
  failed: 6
})

/** One of the exit codes. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode]

/** Bad input from the user: reported without a stack, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

// Every error code along the `cause` chain, outermost first.
function codesOf (err: unknown): string[] {
  const codes: string[] = []
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
  }
  return codes
}

/** The exit code an error maps to. */
export function exitCodeOf (err: unknown): ExitCodeValue {
  if (err instanceof UsageError) return ExitCode.usage
  const codes = codesOf(err)
  if (codes.includes('LEVEL_LOCKED')) return ExitCode.locked
  if (codes.includes('LEVEL_CORRUPTION')) return ExitCode.damaged
  // abstract-level wraps open failures in LEVEL_DATABASE_NOT_OPEN; alone, it means nothing is there.
  if (codes.length > 0 && codes.every(c => c === 'LEVEL_DATABASE_NOT_OPEN')) return ExitCode.missing
  return ExitCode.failed
}
