/**
 * Error construction for merkle-level. Every error the library raises is a
 * `ModuleError` with a stable `code` (tests and callers match on codes, never
 * on messages) and, where there is one, the underlying `cause`.
 */
import ModuleError from 'module-error'

/** The codes merkle-level itself raises (abstract-level raises its own as well). */
export type ErrorCode =
  | 'LEVEL_CORRUPTION'
  | 'LEVEL_IO_ERROR'
  | 'LEVEL_LOCKED'
  | 'LEVEL_DATABASE_NOT_OPEN'
  | 'LEVEL_INVALID_KEY'
  | 'LEVEL_INVALID_VALUE'
  | 'LEVEL_INVALID_PROOF'
  | 'LEVEL_PROOF_ROOT_MISMATCH'
  | 'LEVEL_WRITE_TOO_LARGE'
  | 'LEVEL_CHANGES_GONE'

/** Options accepted by {@link levelError}. */
export interface LevelErrorOptions {
  cause?: unknown
}

/** Creates a `ModuleError` with the given stable code. */
export function levelError (message: string, code: ErrorCode, options: LevelErrorOptions = {}): Error {
  return new ModuleError(message, { code, cause: options.cause as Error | undefined })
}

/** A `LEVEL_CORRUPTION` error: on-disk data that is damaged, foreign or inconsistent. */
export function corruption (message: string, cause?: unknown): Error {
  return levelError(message, 'LEVEL_CORRUPTION', { cause })
}

/** A `LEVEL_IO_ERROR` wrapping the file-system error that caused it. */
export function ioError (message: string, cause?: unknown): Error {
  return levelError(message, 'LEVEL_IO_ERROR', { cause })
}

/**
 * `err` itself when it carries a code of ours (LEVEL_*), else a LEVEL_IO_ERROR
 * saying what failed, with `err` (a file-system error, say) as its cause.
 */
export function asIoError (err: unknown, what: string): unknown {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string' && code.startsWith('LEVEL_')) return err
  return ioError(`${what}: ${(err as Error)?.message ?? String(err)}`, err)
}

/** True when `err` is an error carrying the given code (on itself, not on a cause). */
export function hasCode (err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
}

/** A `LEVEL_INVALID_PROOF` error: a proof that is malformed, non-canonical or of the wrong kind. */
export function invalidProof (message: string): Error {
  return levelError(message, 'LEVEL_INVALID_PROOF')
}
