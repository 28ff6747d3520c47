/**
 * The whole abstract-level compliance suite (it re-runs itself on a sublevel).
 */
import test from 'tape'
import { MerkleLevel } from '../index'
import { tempLocation } from './util/temp'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const suite = require('abstract-level/test') as (options: { test: typeof test, factory: (options?: object) => unknown }) => void

suite({
  test,
  factory (options?: object) {
    return new MerkleLevel(tempLocation('compliance'), options as never)
  }
})
