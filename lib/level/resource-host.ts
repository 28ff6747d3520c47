/**
 * What an async iterator of the database (the change feed, a diff) needs of
 * it to follow abstract-level's life cycle: wait for open(), and be closed
 * with the database.
 */
import type { AbstractResource } from 'abstract-level'

/** The database as such an iterator sees it. */
export interface ResourceHost {
  readonly status: string
  deferAsync: <T>(fn: () => Promise<T>) => Promise<T>
  attachResource: (resource: AbstractResource) => void
  detachResource: (resource: AbstractResource) => void
}
