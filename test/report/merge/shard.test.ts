// --shard I/N: its syntax, and that N shards add up to exactly the requested load.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyShard, formatShard, parseShard, type Shard } from '../../../src/load/shard.js'
import type { LoadConfig } from '../../../src/load/index.js'

const all = (count: number): Shard[] => Array.from({ length: count }, (_, index) => ({ index, count }))
const sum = (values: (number | undefined)[]) => values.reduce<number>((a, v) => a + (v ?? 0), 0)

const config: LoadConfig = {
  url: 'http://127.0.0.1:8080/score', method: 'POST', name: '/score', mode: 'closed', users: 1000, spawnRate: 10,
  runTimeSec: 300, wait: 'between:1,2', timeoutSec: 60, processes: 1
}

test('parseShard reads I/N with a 0-based I', () => {
  assert.deepEqual(parseShard('0/4'), { index: 0, count: 4 })
  assert.deepEqual(parseShard('3/4'), { index: 3, count: 4 })
  assert.deepEqual(parseShard(' 0 / 1 '), { index: 0, count: 1 })
  assert.equal(formatShard(parseShard('2/7')), '2/7')
})

test('parseShard rejects anything else, naming --shard and the value', () => {
  for (const bad of ['5/4', '4/4', '1/0', '0/0', '-1/4', '1', '1/4/2', 'a/b', '', '1.5/4', '0x1/4']) {
    assert.throws(() => parseShard(bad), { name: 'UsageError', message: `--shard must be I/N with 0 <= I < N, got "${bad}"` }, bad)
  }
})

test('closed loop: users split into whole shares whose total is exact, spawn rate in proportion', () => {
  const parts = all(3).map((s) => applyShard(config, s))
  assert.deepEqual(parts.map((p) => p.users), [334, 333, 333])
  assert.equal(sum(parts.map((p) => p.users)), 1000)
  assert.ok(Math.abs(sum(parts.map((p) => p.spawnRate)) - 10) < 1e-9)
  // Every shard finishes its ramp when the whole would: users / spawn rate is the same.
  for (const p of parts) assert.ok(Math.abs(p.users / p.spawnRate - 100) < 1e-9)
  assert.deepEqual(parts.map((p) => p.shard), ['0/3', '1/3', '2/3'])
  // Everything else is the whole run's.
  for (const p of parts) assert.deepEqual({ ...p, users: 1000, spawnRate: 10, shard: undefined }, { ...config, shard: undefined })
  assert.equal(config.users, 1000, 'the input is not modified')
})

test('users are spread so no two shards differ by more than one', () => {
  for (const [users, count] of [[10, 4], [7, 7], [101, 10], [5, 2]]) {
    const parts = all(count).map((s) => applyShard({ ...config, users }, s))
    const u = parts.map((p) => p.users)
    assert.equal(sum(u), users)
    assert.ok(Math.max(...u) - Math.min(...u) <= 1, `${users}/${count}: ${u.join(',')}`)
  }
})

test('open loop: the rate, ramp and in-flight cap are divided; users are not what makes the load', () => {
  const open = { ...config, mode: 'open' as const, users: 1, rate: 250, rampTo: 500, maxInFlight: 1001 }
  const parts = all(4).map((s) => applyShard(open, s))
  assert.deepEqual(parts.map((p) => p.rate), [62.5, 62.5, 62.5, 62.5])
  assert.deepEqual(parts.map((p) => p.rampTo), [125, 125, 125, 125])
  assert.deepEqual(parts.map((p) => p.maxInFlight), [251, 250, 250, 250])
  assert.deepEqual(parts.map((p) => p.users), [1, 1, 1, 1])
})

test('load options without users or spawn rate take runLoad defaults before splitting', () => {
  const part = applyShard({ url: 'http://127.0.0.1:1/', users: 8 }, { index: 1, count: 4 })
  assert.deepEqual(part, { url: 'http://127.0.0.1:1/', users: 2, spawnRate: 0.25, shard: '1/4' })
})

test('fewer users (or in-flight slots) than shards is refused with the flag and the fix', () => {
  assert.throws(() => applyShard({ ...config, users: 3 }, { index: 0, count: 4 }), {
    name: 'UsageError',
    message: '--users 3 cannot be split into 4 shards: each shard needs at least one user (use --users 4 or more, or fewer shards)'
  })
  assert.throws(() => applyShard({ rate: 10, maxInFlight: 2 }, { index: 0, count: 3 }), {
    name: 'UsageError',
    message: '--max-in-flight 2 cannot be split into 3 shards: each shard needs at least one request in flight (use --max-in-flight 3 or more, or fewer shards)'
  })
  assert.throws(() => applyShard(config, { index: 4, count: 4 }), { message: '--shard must be I/N with 0 <= I < N, got "4/4"' })
})
