/**
 * `nodes`: the nodes of a pinned tree at given positions (lib/tree/positions.ts),
 * each with its entry and the node hashes of its two children. A replica
 * descends the server's tree with it, level by level, opening only the
 * subtrees whose hashes differ from its own (docs/REPLICATION.md, `nodes`),
 * and checks each node against the hash its parent gave, from the root down.
 */
import { toHex } from '../bytes'
import { nodeHashBytes } from '../tree/cached-digests'
import { isPosition, nodeAtPath, pathOf } from '../tree/positions'
import type { TreeNode } from '../tree/node'
import { versionHeaders } from './pins'
import type { EndpointSpec } from './endpoints'
import { encodeServedNodes, servedNodeSize } from '../tree/node-wire'
import type { ServedNode } from '../tree/node-wire'
import type { Params } from './params'
import { ReplicationError, badParameter } from './protocol'

/** The positions asked, separated by dots. */
function positionsOf (params: Params): string[] {
  const text = params.text('at')
  if (text === undefined || text === '') throw badParameter("Parameter 'at' is required: positions separated by '.'")
  const positions = text.split('.')
  for (const position of positions) {
    if (!isPosition(position)) throw badParameter("Parameter 'at' must be positions (lower-case hexadecimal, no leading zero) separated by '.'")
  }
  return positions
}

function childHash (child: TreeNode | null): Uint8Array | null {
  return child === null ? null : nodeHashBytes(child)
}

function jsonOf (node: ServedNode): string {
  const hex = (hash: Uint8Array | null): string | null => hash === null ? null : toHex(hash)
  return JSON.stringify({ key: toHex(node.key), value: toHex(node.value), left: hex(node.left), right: hex(node.right) })
}

/**
 * The endpoint: `root` (required), `at`, and `format` (`json`, the default,
 * or `binary`: node-wire.ts, with the state in headers as for `range`); the
 * nodes in the order asked, as many as fit.
 */
export const nodesEndpoint: EndpointSpec = {
  params: ['root', 'at', 'format'],
  run: async ({ pins, limits }, params) => {
    const root = params.root('root')
    if (root === undefined) throw badParameter("Parameter 'root' is required")
    const positions = positionsOf(params)
    const binary = params.choice('format', ['json', 'binary'], 'json') === 'binary'
    return await pins.with(root, async version => {
      const tree = version.snapshot.tree
      await tree.rootAsync()
      const head = `{"root":"${version.root}","seq":${version.seq},"count":${version.count},"nodes":[`
      // The nodes that fit: as themselves for the binary form, as their JSON otherwise.
      const served: ServedNode[] = []
      const parts: string[] = []
      let bytes = binary ? 0 : head.length + 2
      for (const position of positions) {
        const node = nodeAtPath(tree.top, pathOf(position))
        if (node === null) throw badParameter(`No node is at position ${position}`)
        const one = { key: node.key, value: node.value, left: childHash(node.left), right: childHash(node.right) }
        const part = binary ? null : jsonOf(one)
        const size = part === null ? servedNodeSize(one) : part.length + 1
        if (bytes + size > limits.maxResponseBytes) {
          if (served.length + parts.length === 0) throw new ReplicationError('REPLICATION_RESPONSE_TOO_LARGE', `The node at ${position} takes more than maxResponseBytes: sync by ranges`)
          break
        }
        if (part === null) served.push(one)
        else parts.push(part)
        bytes += size
      }
      if (binary) return { bytes: encodeServedNodes(served), headers: versionHeaders(version) }
      return `${head}${parts.join(',')}]}`
    })
  }
}
