/**
 * An in-order cursor over one version of the treap, forward or backward. It
 * holds the path to the current entry on a stack, so that moving on is O(1)
 * amortised and seeking is O(depth). The version it reads never changes, so a
 * cursor is unaffected by later writes: that is the implicit snapshot.
 */
import { compareKeys, keyPrefix } from '../bytes'
import type { TreeNode } from './node'

/** Cursor over the entries of one tree version. */
export class TreeCursor {
  #stack: TreeNode[] = []

  constructor (private readonly root: TreeNode | null, readonly reverse: boolean) {}

  /** Positions on the first entry in the cursor's direction. */
  first (): void {
    this.#stack.length = 0
    this.#descend(this.root)
  }

  /**
   * Positions on the first entry at or after `target` in the cursor's
   * direction (strictly after it when `inclusive` is false).
   */
  seek (target: Uint8Array, inclusive: boolean): void {
    const stack = this.#stack
    stack.length = 0
    const tp = keyPrefix(target)
    let node = this.root
    while (node !== null) {
      const c = compareKeys(node.key, node.kp, target, tp)
      const onSide = this.reverse ? (c < 0 || (c === 0 && inclusive)) : (c > 0 || (c === 0 && inclusive))
      if (onSide) {
        stack.push(node)
        node = this.reverse ? node.right : node.left
      } else {
        node = this.reverse ? node.left : node.right
      }
    }
  }

  /** The current entry's node, or null past the end. */
  get current (): TreeNode | null {
    const stack = this.#stack
    return stack.length === 0 ? null : stack[stack.length - 1]
  }

  /** Moves to the next entry in the cursor's direction. */
  advance (): void {
    const node = this.#stack.pop()
    if (node === undefined) return
    this.#descend(this.reverse ? node.left : node.right)
  }

  #descend (node: TreeNode | null): void {
    while (node !== null) {
      this.#stack.push(node)
      node = this.reverse ? node.right : node.left
    }
  }
}
