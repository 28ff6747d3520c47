/**
 * The suites by name, as the worker runs them.
 */
import type { SuiteName } from '../catalog'
import type { Suite } from './context'
import { checkpoint } from './checkpoint'
import { footprint } from './footprint'
import { fsync } from './fsync'
import { open } from './open'
import { prove } from './prove'
import { reads } from './reads'
import { batch, batchRoot, put, putSync, putSync16, putSync64 } from './writes'

/** Every suite of the catalog, implemented. */
export const suites: Record<SuiteName, Suite> = {
  fsync,
  put,
  'put-sync': putSync,
  'put-sync-16': putSync16,
  'put-sync-64': putSync64,
  batch,
  'batch-root': batchRoot,
  reads,
  checkpoint,
  open,
  footprint,
  prove
}
