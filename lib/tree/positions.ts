/**
 * Positions of nodes in a tree, as the replication protocol names them
 * (docs/REPLICATION.md, `nodes`): the number of a node in heap order, in
 * hexadecimal. The top is 1; the children of node n are 2n (left) and
 * 2n + 1 (right). Its binary digits after the leading 1 are the path from
 * the top, 0 for left and 1 for right, so a node at depth d takes about
 * d / 4 digits, with no bound on d (a treap of chosen keys can be deep).
 */
import { resolve } from './node'
import type { TreeNode } from './node'

/** The position of the top node. */
export const TOP_POSITION = '1'

const HEX_DIGIT_BITS = ['0000', '0001', '0010', '0011', '0100', '0101', '0110', '0111', '1000', '1001', '1010', '1011', '1100', '1101', '1110', '1111']

/** True when `text` is a position: lower-case hexadecimal without leading zeros, not 0. */
export function isPosition (text: string): boolean {
  return /^[1-9a-f][0-9a-f]*$/.test(text)
}

/** The path of a position (see {@link isPosition}): false for left, true for right, from the top. */
export function pathOf (position: string): boolean[] {
  let bits = ''
  for (const digit of position) bits += HEX_DIGIT_BITS[parseInt(digit, 16)]
  const path: boolean[] = []
  for (let i = bits.indexOf('1') + 1; i < bits.length; i++) path.push(bits[i] === '1')
  return path
}

/** The position of the left (`right` false) or right child of the node at `position`. */
export function childPosition (position: string, right: boolean): string {
  // Doubling in hexadecimal, digit by digit from the end, carrying one bit.
  let out = ''
  let carry = right ? 1 : 0
  for (let i = position.length - 1; i >= 0; i--) {
    const doubled = parseInt(position[i], 16) * 2 + carry
    out = (doubled & 15).toString(16) + out
    carry = doubled >> 4
  }
  return carry === 0 ? out : '1' + out
}

/** The node at `path` below `top`, or null when the path leaves the tree. */
export function nodeAtPath (top: TreeNode | null, path: readonly boolean[]): TreeNode | null {
  let node = top === null ? null : resolve(top)
  for (const right of path) {
    if (node === null) return null
    const child = right ? node.right : node.left
    node = child === null ? null : resolve(child)
  }
  return node
}
