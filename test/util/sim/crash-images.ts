/**
 * Crash images: what a disk may hold after a crash at the moment a
 * {@link DiskState} was captured.
 *
 * A process crash (SIGKILL) loses nothing the process handed to the kernel:
 * its image is the live state. A power loss keeps what was durable plus any
 * part of what was pending, and these images enumerate the ways that can go
 * (after ALICE, CrashMonkey, SQLite's crash VFS and LevelDB's and RocksDB's
 * fault-injection environments):
 *
 *  - everything pending lost, or everything pending kept (the process-crash
 *    image: the disk as it is, page cache included, nothing more durable);
 *  - per directory, any prefix of its pending entry operations (journaled
 *    metadata reaches the disk in order): files, links, renames and unlinks
 *    not yet made durable by a directory sync are lost;
 *  - per file, any prefix of its pending writes, the next one torn at a
 *    512-byte or 4096-byte sector boundary or at an arbitrary byte, or the
 *    file's size extended over the next write with zeros or garbage in place
 *    of its bytes;
 *  - a few random combinations of the above across files and directories;
 *  - "reordered" images, where one pending write of a file is lost while
 *    later ones survive (unsynced appends reach the disk out of order on some
 *    file systems). These put damage in front of valid data that was never
 *    synced, which recovery must tell from damage to durable data.
 *
 * A failed sync already dropped its file's pending data from the state
 * (disk-state.ts), so no image of a later moment contains it.
 */
import { ROOT, applyDataOp, applyDirOp } from './disk-state'
import type { DataOp, DirNode, DiskNode, DiskState, FileNode } from './disk-state'
import { randomBytesFrom, randomInt, seededRandom } from './prng'
import type { Random } from './prng'

/** The crash model an image belongs to. */
export type CrashModel = 'process' | 'power'

/** One possible disk after a crash. */
export interface CrashImage {
  /** How the image was made, for failure reports. */
  readonly label: string
  readonly model: CrashModel
  /** True when a pending write was lost while a later one of the same file survived. */
  readonly reordered: boolean
  /** The disk: for a power loss every node durable and nothing pending; for a process crash the disk as it was. */
  readonly state: DiskState
}

/** How much of one write of a crash image reached the disk, beyond those fully applied. */
type Partial =
  | { kind: 'torn', keep: number }
  | { kind: 'torn-zeros', keep: number }
  | { kind: 'zeros' }
  | { kind: 'garbage', seed: number }

interface FileChoice { applied: number, partial?: Partial, skip?: number }

interface Choice {
  files: Map<number, FileChoice>
  dirs: Map<number, number>
}

/** Options of {@link crashImages}. */
export interface CrashImageOptions {
  random: Random
  /** At most this many images per state (everything-lost and everything-kept always included). */
  limit: number
  /** Include reordered images (default true). */
  reordered?: boolean
}

/** The crash images of `state`. */
export function crashImages (state: DiskState, options: CrashImageOptions): CrashImage[] {
  const files: FileNode[] = []
  const dirs: DirNode[] = []
  for (const node of state.nodes.values()) {
    if (node.pending.length === 0) continue
    if (node.kind === 'file') files.push(node)
    else dirs.push(node)
  }
  const all = (): Choice => ({
    files: new Map(files.map(f => [f.id, { applied: f.pending.length }])),
    dirs: new Map(dirs.map(d => [d.id, d.pending.length]))
  })
  const make = (label: string, model: CrashModel, choice: Choice, reordered = false): CrashImage =>
    ({ label, model, reordered, state: materialize(state, choice) })

  // A process crash leaves the page cache as it is: reads see the live state (which after
  // a failed sync still holds what the sync dropped), and what was pending is still
  // pending: a power loss after recovery may yet lose it.
  const first: CrashImage[] = [{ label: 'process crash: the page cache as it is', model: 'process', reordered: false, state }]
  if (files.length === 0 && dirs.length === 0 && !liveDiffers(state)) return first
  first.push(make('power loss: everything pending lost', 'power', { files: new Map(), dirs: new Map() }))

  const rest: Array<() => CrashImage> = []
  for (const dir of dirs) {
    for (let j = 0; j < dir.pending.length; j++) {
      rest.push(() => {
        const choice = all()
        choice.dirs.set(dir.id, j)
        return make(`power loss: directory ${dir.id} keeps ${j}/${dir.pending.length} entry operations`, 'power', choice)
      })
    }
  }
  for (const file of files) {
    for (let j = 0; j < file.pending.length; j++) {
      for (const partial of partialsOf(file.pending[j], options.random)) {
        rest.push(() => {
          const choice = all()
          choice.files.set(file.id, { applied: j, partial })
          return make(`power loss: file ${file.id} keeps ${j}/${file.pending.length} writes${describe(partial)}`, 'power', choice)
        })
      }
    }
  }
  for (let n = 0; n < 4; n++) {
    rest.push(() => make(`power loss: random combination ${n + 1}`, 'power', randomChoice(files, dirs, options.random)))
  }
  if (options.reordered !== false) {
    for (const file of files) {
      for (let skip = 0; skip < file.pending.length - 1; skip++) {
        if (file.pending[skip].kind !== 'write') continue
        rest.push(() => {
          const choice = all()
          choice.files.set(file.id, { applied: file.pending.length, skip })
          return make(`power loss, reordered: file ${file.id} loses write ${skip + 1}/${file.pending.length}`, 'power', choice, true)
        })
      }
    }
  }
  const chosen = rest.length + first.length <= options.limit ? rest : sample(rest, options.limit - first.length, options.random)
  return [...first, ...chosen.map(f => f())]
}

// The ways the write at the frontier may have partly reached the disk (undefined: not at all).
function partialsOf (op: DataOp, random: Random): Array<Partial | undefined> {
  const out: Array<Partial | undefined> = [undefined]
  if (op.kind !== 'write' || op.data.length < 2) return out
  const { offset, data } = op
  const cuts = new Set<number>()
  const sector = (size: number, max: number): void => {
    let added = 0
    for (let b = (Math.floor(offset / size) + 1) * size; b < offset + data.length && added < max; b += size, added++) cuts.add(b - offset)
  }
  sector(4096, 4)
  sector(512, 4)
  cuts.add(1 + randomInt(random, data.length - 1))
  for (const keep of cuts) out.push({ kind: 'torn', keep })
  out.push({ kind: 'torn-zeros', keep: data.length >> 1 })
  out.push({ kind: 'zeros' })
  out.push({ kind: 'garbage', seed: randomInt(random, 2 ** 31) })
  return out
}

function describe (partial: Partial | undefined): string {
  if (partial === undefined) return ''
  if (partial.kind === 'torn') return `, the next torn after ${partial.keep} bytes`
  if (partial.kind === 'torn-zeros') return `, the next torn after ${partial.keep} bytes and zero-filled`
  if (partial.kind === 'zeros') return ', the next as zeros'
  return ', the next as garbage'
}

function randomChoice (files: FileNode[], dirs: DirNode[], random: Random): Choice {
  const choice: Choice = { files: new Map(), dirs: new Map() }
  for (const dir of dirs) choice.dirs.set(dir.id, randomInt(random, dir.pending.length + 1))
  for (const file of files) {
    const applied = randomInt(random, file.pending.length + 1)
    const partials = applied < file.pending.length ? partialsOf(file.pending[applied], random) : [undefined]
    choice.files.set(file.id, { applied, partial: partials[randomInt(random, partials.length)] })
  }
  return choice
}

function sample<T> (items: T[], n: number, random: Random): T[] {
  const copy = items.slice()
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1)
    const t = copy[i]
    copy[i] = copy[j]
    copy[j] = t
  }
  return copy.slice(0, Math.max(0, n))
}

// True when reads see something no sync will make durable (a failed sync dropped it).
function liveDiffers (state: DiskState): boolean {
  for (const node of state.nodes.values()) {
    if (node.kind === 'file') {
      if (node.live.length !== node.durable.length || node.live.some((b, i) => b !== node.durable[i])) return true
    } else if (node.live.size !== node.durable.size || [...node.live].some(([name, id]) => node.durable.get(name) !== id)) {
      return true
    }
  }
  return false
}

// Builds the disk a choice describes: every node durable, nothing pending.
function materialize (state: DiskState, choice: Choice): DiskState {
  const nodes = new Map<number, DiskNode>()
  for (const node of state.nodes.values()) {
    if (node.kind === 'dir') {
      let entries = node.durable
      const keep = choice.dirs.get(node.id) ?? 0
      for (let i = 0; i < keep; i++) entries = applyDirOp(entries, node.pending[i])
      nodes.set(node.id, { kind: 'dir', id: node.id, durable: entries, pending: [], live: entries })
    } else {
      const content = fileContent(node, choice.files.get(node.id) ?? { applied: 0 })
      nodes.set(node.id, { kind: 'file', id: node.id, durable: content, pending: [], live: content })
    }
  }
  if (!nodes.has(ROOT)) throw new Error('disk state without a root directory')
  return { nodes }
}

function fileContent (node: FileNode, choice: FileChoice): Uint8Array {
  let content = node.durable
  for (let i = 0; i < choice.applied; i++) {
    if (i !== choice.skip) content = applyDataOp(content, node.pending[i])
  }
  const next = node.pending[choice.applied]
  if (choice.partial === undefined || next === undefined || next.kind !== 'write') return content
  const { offset, data } = next
  const end = offset + data.length
  const p = choice.partial
  if (p.kind === 'torn') return applyDataOp(content, { kind: 'write', offset, data: data.subarray(0, p.keep) })
  if (p.kind === 'torn-zeros') {
    content = applyDataOp(content, { kind: 'write', offset, data: data.subarray(0, p.keep) })
    return end > content.length ? applyDataOp(content, { kind: 'truncate', size: end }) : content
  }
  // The size grew over the write but its bytes never arrived: zeros, or whatever the blocks held.
  if (end <= content.length) return content
  const from = content.length
  content = applyDataOp(content, { kind: 'truncate', size: end })
  if (p.kind === 'garbage') content.set(randomBytesFrom(seededRandom(p.seed), end - from), from)
  return content
}
