/**
 * How hard the crash tests try: CRASH_EFFORT=n multiplies the work (default
 * 1, the per-commit budget); long runs use 10 or 100.
 */

/** The effort multiplier from the environment (at least 1). */
export const EFFORT = Math.max(1, Math.floor(Number(process.env.CRASH_EFFORT ?? 1)) || 1)

/** A base seed for this run: CRASH_SEED replays a run, otherwise fixed so that runs repeat. */
export const SEED = Number(process.env.CRASH_SEED ?? 20251125)
