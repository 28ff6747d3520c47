/**
 * The image files of generations a new base replaced. The checkpoint deletes
 * them from the directory, but versions captured before (an iterator, a
 * snapshot, a change feed) may still read them, so they stay open while any
 * node or stub can reach them, and not longer: each is closed once the
 * garbage collector finds it unreachable, which releases its disk space.
 * The cache's entries of a file reach it too, until they are evicted. Those
 * still open when the database closes are closed then.
 */
import type { FileHandle } from '../fs/file-system'
import type { Generation } from './generation'
import type { ImageFile } from './image-file'

/** Retired image files, closed when unreachable (see the file header). */
export class RetiredFiles {
  readonly #closer = new FinalizationRegistry<FileHandle>(handle => { handle.close().catch(() => {}) })
  #files: Array<WeakRef<ImageFile>> = []

  /** Hands over the files of `generation`, which no version captured from now on reads. */
  retire (generation: Generation): void {
    this.#files = this.#files.filter(ref => ref.deref() !== undefined)
    for (const file of generation.files) {
      // The handle, not the file, is what the callback keeps: holding the file would keep it reachable.
      this.#closer.register(file, file.handle, file)
      this.#files.push(new WeakRef(file))
    }
  }

  /** Retired files not closed yet. */
  get open (): number {
    return this.#files.filter(ref => ref.deref() !== undefined).length
  }

  /** Closes every retired file still open (the database closes). */
  async close (): Promise<void> {
    for (const ref of this.#files) {
      const file = ref.deref()
      if (file === undefined) continue
      this.#closer.unregister(file)
      await file.close().catch(() => {})
    }
    this.#files = []
  }
}
