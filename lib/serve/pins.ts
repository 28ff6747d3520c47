/**
 * Pinned snapshots: how a client reads many ranges against one root. A
 * snapshot is pinned when a client asks for the current state (`info`, or a
 * `range` or `prove` without `root`) and is named by its root; later
 * requests name that root and read the same version, however the database
 * moves meanwhile. A pin lasts `pinMs` after its last use; at most `maxPins`
 * are held, and an idle one is let go when a newer one needs its place. A
 * pin costs memory for as long as it lasts: the nodes of its version that
 * later writes replaced.
 */
import type { MerkleLevel } from '../level/merkle-level'
import type { MerkleSnapshot } from '../level/snapshot'
import { toHex } from '../bytes'
import { ReplicationError } from './protocol'

/** A pinned version: its snapshot, root, sequence number and entry count. */
export interface PinnedVersion {
  readonly snapshot: MerkleSnapshot
  readonly root: string
  readonly seq: number
  readonly count: number
}

interface Pin extends PinnedVersion {
  users: number
  lastUse: number
  timer: NodeJS.Timeout | null
}

/** The pinned snapshots of one database. */
export class SnapshotPins {
  readonly #pins = new Map<string, Pin>()
  #closed = false

  constructor (private readonly db: MerkleLevel<unknown, unknown>, private readonly limits: { pinMs: number, maxPins: number }) {}

  /**
   * Runs `use` on the version with root `root` (64 hexadecimal digits), or on
   * the current version when `root` is undefined (pinning it). Throws
   * REPLICATION_ROOT_GONE when no pin has that root.
   */
  async with<T> (root: string | undefined, use: (version: PinnedVersion) => Promise<T>): Promise<T> {
    const pin = root === undefined ? await this.#pinCurrent() : this.#pins.get(root.toLowerCase())
    if (pin === undefined) {
      throw new ReplicationError('REPLICATION_ROOT_GONE', `No snapshot with root ${root as string} is pinned (any more): ask /v1/info for the current root`)
    }
    pin.users++
    this.#touch(pin)
    try {
      return await use(pin)
    } finally {
      pin.users--
      this.#touch(pin)
    }
  }

  /** Lets every pin go. */
  async close (): Promise<void> {
    this.#closed = true
    const pins = [...this.#pins.values()]
    this.#pins.clear()
    await Promise.all(pins.map(async pin => await this.#release(pin)))
  }

  async #pinCurrent (): Promise<Pin> {
    if (this.#closed) throw new ReplicationError('REPLICATION_UNAVAILABLE', 'The replication handler is closed')
    const snapshot = this.db.snapshot() as MerkleSnapshot
    const root = toHex(await this.db.root({ snapshot }))
    const known = this.#pins.get(root)
    if (known !== undefined) {
      // The same state, pinned already: one pin per root.
      await snapshot.close()
      return known
    }
    const pin: Pin = { snapshot, root, seq: snapshot.seq, count: snapshot.tree.size, users: 0, lastUse: Date.now(), timer: null }
    this.#pins.set(root, pin)
    this.#evict()
    return pin
  }

  // The least recently used idle pins go while there are too many; pins in use stay.
  #evict (): void {
    const idle = [...this.#pins.values()].filter(pin => pin.users === 0).sort((a, b) => a.lastUse - b.lastUse)
    for (const pin of idle) {
      if (this.#pins.size <= this.limits.maxPins) break
      this.#drop(pin)
    }
  }

  #touch (pin: Pin): void {
    pin.lastUse = Date.now()
    if (pin.timer !== null) clearTimeout(pin.timer)
    pin.timer = null
    if (pin.users > 0 || this.#pins.get(pin.root) !== pin) return
    pin.timer = setTimeout(() => this.#drop(pin), this.limits.pinMs)
    // A pin never keeps the process alive.
    pin.timer.unref()
  }

  #drop (pin: Pin): void {
    if (this.#pins.get(pin.root) !== pin) return
    this.#pins.delete(pin.root)
    this.#release(pin).catch(() => {})
  }

  async #release (pin: Pin): Promise<void> {
    if (pin.timer !== null) clearTimeout(pin.timer)
    pin.timer = null
    await pin.snapshot.close()
  }
}

/** The state a binary answer is of, as headers. */
export function versionHeaders (version: PinnedVersion): Record<string, string> {
  return { 'x-merkle-root': version.root, 'x-merkle-seq': String(version.seq), 'x-merkle-count': String(version.count) }
}
