/**
 * The whole abstract-level compliance suite (it re-runs itself on a sublevel).
 */
import test from 'tape'
import { MerkleLevel } from '../index'
import { tempLocation } from './util/temp'

const suite = require('abstract-level/test') as (options: { test: typeof test, factory: (options?: object) => unknown }) => void

suite({
  test,
  factory (options?: object) {
    return new MerkleLevel(tempLocation('compliance'), options as never)
  }
})
