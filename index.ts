/**
 * merkle-level: a durable abstract-level database with a Merkle root over
 * its contents. Public exports only.
 */
export { MerkleLevel } from './lib/level/merkle-level'
export type { MerkleLevelOptions, RootOptions, LastCheck } from './lib/level/merkle-level'
export type { DiskUsage, FileCount } from './lib/store/disk-usage'
export type { DurabilityOptions } from './lib/level/write-options'
export type { CacheStats, EngineOptions, RecoveryReport } from './lib/store/options'
export type { RecoveryMode } from './lib/store/recovery'
export type { CheckpointResult } from './lib/store/checkpoint'
export type { CheckpointStatus, CheckpointSuccess, CheckpointFailure, RecordedCheckpointFailure } from './lib/store/checkpoint-status'
export type { BackupResult } from './lib/store/backup'
export type { Change, ChangeIterator, FeedOperation, FeedRange, ChangesOptions } from './lib/level/changes'
export type { DiffIterator, DiffOptions, Difference } from './lib/level/diff'
export type { FileSystem, FileHandle, FileStat, OpenMode } from './lib/fs/file-system'
export type { ErrorCode } from './lib/errors'
export { createReplicationHandler } from './lib/serve/handler'
export type { ReplicationHandler, ReplicationHandlerOptions } from './lib/serve/handler'
export { startReplicationServer, ListenRefused } from './lib/serve/server'
export type { ReplicationServer, ReplicationServerOptions } from './lib/serve/server'
export { PROTOCOL_VERSION, DEFAULT_LIMITS, ERROR_STATUS } from './lib/serve/protocol'
export type { ReplicationLimits, ReplicationErrorCode } from './lib/serve/protocol'
export { isLoopback, listenRefusal } from './lib/serve/access'
export type { ProveOptions, ProveRangeOptions, ProofSublevel, ProveChangeOptions, ChangeOperation } from './lib/level/proofs'
export type { ProvenChange } from './lib/tree/prove-change'
export type { SaltOption } from './lib/store/salt'
export type { TreeParams } from './lib/tree/params'
export type { CheckReport } from './lib/tree/check'
export {
  verifyProof, verifyRangeProof, computeRoot, encodeProof, decodeProof, proofToJson, proofFromJson, PROOF_VERSION,
  verifyChangeProof, encodeChangeProof, decodeChangeProof, changeProofToJson, changeProofFromJson
} from './verify'
export type {
  Proof, KeyProof, RangeProof, ProofNode, ProofRange, ProofJson, KeyProofResult, RangeProofResult,
  ProvenEntry, CoveredRange, ProofInput, SortedEntry,
  ChangeProof, ChangeOp, ChangePut, ChangeDel, ChangeProofNode, ChangeProofJson, ChangeOpJson, ChangeProofNodeJson,
  ChangeProofResult, ChangeProofInput, ChangeRoots
} from './verify'
export { replicate } from './lib/replica/replicate'
export type { ReplicateOptions, ReplicateResult } from './lib/replica/replicate'
export { follow } from './lib/replica/follow'
export type { FollowOptions, FollowState } from './lib/replica/follow'
export type { ReplicaErrorCode } from './lib/replica/errors'
