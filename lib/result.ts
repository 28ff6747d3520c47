/**
 * The one shape in which the decoders and readers answer "a value, or why
 * there is none" (the WAL and snapshot readers, the batch record decoder,
 * recovery's steps). Damage found in a file is an answer, not an exception:
 * the caller decides what it means (recovery refuses, skips or stops there;
 * the offline tools list it). Failures to read at all are still thrown.
 *
 * A success carries its value under a name that says what it is (`header`,
 * `record`, `spans`, …), or several values side by side; a failure carries
 * `problem`, a sentence unless the reader's callers need its kind (a union of
 * string literals, as the WAL's HeaderProblem).
 */

/** A value, or why there is none: test `ok` before reading either. */
export type Result<T extends object, P = string> = Success<T> | Failure<P>

/** The value or values found, beside `ok: true`. */
export type Success<T extends object> = { ok: true } & T

/** Why there is no value. */
export interface Failure<P = string> {
  ok: false
  problem: P
}
