/**
 * `overview`: what the page's overview shows, in one read-only answer: the
 * current state (root, sequence number, entries, salt), the files on disk,
 * the last checkpoint, what the last open recovered and the last integrity
 * check. With `since` and `wait` it is a long poll: it answers once a batch
 * after `since` is committed, or after `wait` ms, so that a page follows
 * the root as the application writes.
 */
import type { MerkleLevel } from '../level/merkle-level'
import type { MerkleSnapshot } from '../level/snapshot'
import { toHex } from '../bytes'
import { recordOf } from '../store/checkpoint-status'
import type { CheckpointResult } from '../store/checkpoint'
import type { CheckpointStatus, RecordedCheckpointFailure } from '../store/checkpoint-status'
import type { DiskUsage } from '../store/disk-usage'
import type { RecoveryReport } from '../store/options'
import type { CheckReport } from '../tree/check'
import type { EndpointSpec } from './endpoints'
import type { ReplicationLimits } from './protocol'
import { commitAfter, headOf } from './feed-wait'
import { PROTOCOL_VERSION, ReplicationError } from './protocol'

/** The body of an `overview` answer. */
export interface OverviewJson {
  protocol: number
  root: string
  seq: number
  count: number
  salt: string
  disk: DiskUsage
  lastCheckpoint: null | { ok: true, time: string, background: boolean, result: CheckpointResult } | ({ ok: false } & RecordedCheckpointFailure)
  recovery: RecoveryReport | null
  lastCheck: null | { time: string, snapshot: boolean, report: CheckReport }
  /** The server's limits, as `info` gives them (a page sizes its requests by them). */
  limits: ReplicationLimits
}

/** `overview`, with the optional long poll `since` + `wait`. */
export const overview: EndpointSpec = {
  params: ['since', 'wait'],
  run: async ({ db, limits }, params) => {
    const wait = params.integer('wait', 0, limits.maxWaitMs, 0)
    if (params.has('since')) {
      const since = params.integer('since', 0, Number.MAX_SAFE_INTEGER)
      const head = await headOf(db)
      if (since > head) throw new ReplicationError('REPLICATION_SINCE_AHEAD', `No batch ${since} was committed here (the last is ${head})`)
      // A feed that fails meanwhile (the database closing) ends the wait: the answer says what is.
      if (since === head && wait > 0) await commitAfter(db, since, wait).catch(() => {})
    } else if (wait > 0) {
      throw new ReplicationError('REPLICATION_BAD_PARAMETER', "Parameter 'wait' needs 'since'")
    }
    return JSON.stringify({ ...await overviewOf(db), limits: { ...limits } })
  }
}

async function overviewOf (db: MerkleLevel<unknown, unknown>): Promise<Omit<OverviewJson, 'limits'>> {
  // One snapshot: root, sequence number and count of the same state.
  const snapshot = db.snapshot() as MerkleSnapshot
  let state: { root: string, seq: number, count: number }
  try {
    state = { root: toHex(await db.root({ snapshot })), seq: snapshot.seq, count: snapshot.tree.size }
  } finally {
    await snapshot.close()
  }
  const check = db.lastCheck
  return {
    protocol: PROTOCOL_VERSION,
    ...state,
    salt: toHex(db.treeParams?.salt ?? new Uint8Array(0)),
    disk: await db.diskUsage(),
    lastCheckpoint: checkpointJson(db.lastCheckpoint),
    recovery: db.recovery,
    lastCheck: check === null ? null : { time: new Date(check.time).toISOString(), snapshot: check.snapshot, report: check.report }
  }
}

function checkpointJson (status: CheckpointStatus | null): OverviewJson['lastCheckpoint'] {
  if (status === null) return null
  if (status.ok) return { ok: true, time: new Date(status.time).toISOString(), background: status.background, result: status.result }
  return { ok: false, ...recordOf(status) }
}
