// `floodgate load --shard I/N`: one of N generators (pods, machines) running its part of one load
// profile, so that the N parts together make the requested load and `floodgate merge` adds them up.
// I is 0-based, like Kubernetes' JOB_COMPLETION_INDEX in an Indexed Job.
import { UsageError } from '../errors.js'
import { shares } from './processes.js'
import { DEFAULT_SEED } from './llm-options.js'

/** Seeds of shard I's processes start at seed + I x this (no machine runs this many processes). */
const SHARD_SEED_STRIDE = 1000

export interface Shard {
  /** 0-based, < count. */
  index: number
  count: number
}

/** The load figures a shard divides; LoadOptions and LoadConfig both have them. */
export interface ShardableLoad {
  users?: number
  spawnRate?: number
  rate?: number
  rampTo?: number
  maxInFlight?: number
  seed?: number
}

const SHARD = /^\s*(\d+)\s*\/\s*(\d+)\s*$/

/** "I/N" -> {index, count}; anything else is a UsageError naming --shard. */
export function parseShard(text: string): Shard {
  const m = SHARD.exec(String(text))
  const index = m ? Number(m[1]) : NaN
  const count = m ? Number(m[2]) : NaN
  if (!m || !(count >= 1) || !(index < count) || !Number.isSafeInteger(count)) {
    throw new UsageError(`--shard must be I/N with 0 <= I < N, got "${text}"`, { flag: '--shard' })
  }
  return { index, count }
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`
}

/**
 * The part of `load` that shard I of N runs, with `shard` set to "I/N". Users (and maxInFlight) are
 * split into whole shares differing by at most one, so their totals are exact; each shard's spawn rate
 * is in proportion to its users, so every shard finishes its ramp at the same time as the whole would;
 * an open-loop rate (and rampTo) is divided equally. Missing users/spawnRate take runLoad's defaults (1).
 */
export function applyShard<T extends ShardableLoad>(load: T, shard: Shard): T & { shard: string } {
  if (!(Number.isInteger(shard.index) && Number.isInteger(shard.count) && shard.index >= 0 && shard.index < shard.count)) {
    throw new UsageError(`--shard must be I/N with 0 <= I < N, got "${formatShard(shard)}"`, { flag: '--shard' })
  }
  const part: T & { shard: string } = { ...load, shard: formatShard(shard) }
  const { count } = shard
  if (load.rate !== undefined) {
    // Open loop: users are not what makes the load, the rate is.
    part.rate = load.rate / count
    if (load.rampTo !== undefined) part.rampTo = load.rampTo / count
    if (load.maxInFlight !== undefined) part.maxInFlight = shareOf(load.maxInFlight, shard, '--max-in-flight', 'request in flight')
    // Random arrivals: each shard its own sequence (its processes add 0, 1, ... to this).
    part.seed = (load.seed ?? DEFAULT_SEED) + shard.index * SHARD_SEED_STRIDE
    return part
  }
  const users = load.users ?? 1
  const mine = shareOf(users, shard, '--users', 'user')
  part.users = mine
  part.spawnRate = ((load.spawnRate ?? 1) * mine) / users
  return part
}

function shareOf(total: number, shard: Shard, flag: string, unit: string): number {
  if (total < shard.count) {
    throw new UsageError(
      `${flag} ${total} cannot be split into ${shard.count} shards: each shard needs at least one ${unit} ` +
      `(use ${flag} ${shard.count} or more, or fewer shards)`, { flag })
  }
  return shares(total, shard.count)[shard.index]
}
