/**
 * The trace a simulated file system records: every call with its arguments
 * and outcome, and marks that the code under test adds (a batch issued, a
 * batch acknowledged) so that a checker can line its promises up with the
 * calls that should back them.
 */
import type { OpenMode } from '../../../lib/fs/file-system'

/** The file-system calls, by name. */
export type FsOp =
  | 'open' | 'read' | 'write' | 'sync' | 'truncate' | 'size' | 'close'
  | 'readFile' | 'readdir' | 'mkdir' | 'stat' | 'lstat' | 'rename' | 'link' | 'unlink' | 'rmdir' | 'syncDirectory'

/** One file-system call. */
export interface CallEvent {
  readonly type: 'call'
  /** Position in the trace. */
  readonly index: number
  readonly op: FsOp
  /** The path called with; for calls on a handle, the path it was opened with. */
  readonly path: string
  /** Second path of rename and link. */
  readonly to?: string
  /** The file node a handle call or open touched. */
  readonly node?: number
  readonly mode?: OpenMode
  /** Position of a read or write. */
  readonly offset?: number
  /** Bytes asked for by a read or write. */
  readonly length?: number
  /** The bytes a write put in the page cache (a prefix of the buffer after a short write). */
  readonly data?: Uint8Array
  /** Target size of a truncate. */
  readonly size?: number
  /** The errno code when the call failed. */
  readonly error?: string
  /** True when the call may have changed what a crash leaves. */
  readonly mutating: boolean
}

/** A mark added by the code under test. */
export interface MarkEvent {
  readonly type: 'mark'
  readonly index: number
  readonly label: string
  readonly value: number
  /** Free-form flag (for example: the batch asked for sync). */
  readonly flag: boolean
}

/** A trace entry. */
export type TraceEvent = CallEvent | MarkEvent
