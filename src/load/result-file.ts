// Reading a saved LoadResult (`floodgate load --json`) back, for `merge` and `report`: every field a
// reader uses is checked against a table of shapes before any of it is used, so a corrupt file is one
// line naming the file and the field (`shard-0.json: field "histograms.Aggregated" is not an encoded
// HDR histogram (...)`), never a stack trace from deep inside the merge.
import { readFile } from 'node:fs/promises'
import { UsageError, messageOf } from '../errors.js'
import { decodeHistogram } from './histogram.js'
import { LOAD_RESULT_VERSIONS_READ, type LoadResult } from './result.js'

/** What a field must hold. A trailing `?` allows it to be absent; `number|null` allows null. */
export type Shape =
  | 'any' | 'string' | 'string?' | 'number' | 'number?' | 'number|null' | 'number|null?' | 'boolean' | 'boolean?' | 'histogram' | 'histogram?'
  | { list: Shape }
  | { record: Shape }
  | { fields: Record<string, Shape> }
  /** Absent, or the shape given (fields added in a later LoadResult version). */
  | { optional: Shape }

function typeOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value
}

const article = (type: string): string => (/^[aeiou]/.test(type) ? 'an' : 'a')

/**
 * Checks `value` against `shape`; `fail(field, why)` is called for the first field at fault, `path`
 * being the field's place (`history[3].histogram`).
 */
export function checkShape(value: unknown, shape: Shape, path: string, fail: (field: string, why: string) => never): void {
  if (shape === 'any') return
  if (typeof shape === 'string') {
    const optional = shape.endsWith('?')
    const base = optional ? shape.slice(0, -1) : shape
    if (value === undefined && optional) return
    if (base === 'number|null') {
      if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) fail(path, `must be a number or null, got ${typeOf(value)}`)
    } else if (base === 'histogram') {
      if (typeof value !== 'string') fail(path, `must be an encoded HDR histogram (a string), got ${typeOf(value)}`)
      try {
        decodeHistogram(value as string)
      } catch (err) {
        fail(path, `is not an encoded HDR histogram (${messageOf(err)})`)
      }
    } else if (typeOf(value) !== base || (base === 'number' && !Number.isFinite(value))) {
      fail(path, `must be ${article(base)} ${base}, got ${typeOf(value)}`)
    }
    return
  }
  if ('optional' in shape) {
    if (value !== undefined) checkShape(value, shape.optional, path, fail)
  } else if ('list' in shape) {
    if (!Array.isArray(value)) fail(path, `must be an array, got ${typeOf(value)}`)
    ;(value as unknown[]).forEach((item, i) => checkShape(item, shape.list, `${path}[${i}]`, fail))
  } else if ('record' in shape) {
    if (typeOf(value) !== 'object') fail(path, `must be an object, got ${typeOf(value)}`)
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) checkShape(item, shape.record, `${path}.${key}`, fail)
  } else {
    if (typeOf(value) !== 'object') fail(path, `must be an object, got ${typeOf(value)}`)
    for (const [key, field] of Object.entries(shape.fields)) {
      checkShape((value as Record<string, unknown>)[key], field, path ? `${path}.${key}` : key, fail)
    }
  }
}

const STATS: Shape = {
  fields: {
    method: 'string', name: 'string', requests: 'number', failures: 'number', minMs: 'number', maxMs: 'number', meanMs: 'number',
    medianMs: 'number', avgContentBytes: 'number', rps: 'number', failuresPerSec: 'number', percentiles: { record: 'number' }
  }
}

/** A Distribution of a LoadResult's streaming figures (distribution.ts). */
const DISTRIBUTION: Shape = { fields: { count: 'number', sum: 'number', sumSq: 'number', min: 'number', max: 'number', histogram: 'histogram' } }

/** LoadResult.llm (version 2; llm-result.ts). */
const LLM: Shape = {
  fields: {
    streamed: 'number', completed: 'number', good: 'number', slos: { list: 'string' }, usageResponses: 'number', outputTokens: 'number',
    inputTokens: 'number', inputResponses: 'number', ttfb: DISTRIBUTION, ttft: DISTRIBUTION, itl: DISTRIBUTION, tpot: DISTRIBUTION,
    e2el: DISTRIBUTION, outputTokensPerRequest: DISTRIBUTION, requestTokensPerSec: DISTRIBUTION
  }
}

const POINT_LLM: Shape = {
  fields: {
    tokens: 'number', tokensPerSec: 'number', ttftP50: 'number|null', ttftP95: 'number|null', ttftP99: 'number|null',
    itlP50: 'number|null', itlP99: 'number|null', ttftHistogram: 'histogram?', itlHistogram: 'histogram?'
  }
}

const POINT: Shape = {
  fields: {
    t: 'number', users: 'number', requests: 'number', failures: 'number', rps: 'number', failuresPerSec: 'number',
    p50: 'number|null', p95: 'number|null', p99: 'number|null', inFlight: 'number', totalRequests: 'number', totalFailures: 'number',
    histogram: 'histogram?', totalMedianMs: 'number?', totalAvgMs: 'number?', totalMinMs: 'number?', totalMaxMs: 'number?',
    totalAvgContentBytes: 'number?', cpuPercent: 'number?', rssBytes: 'number?', llm: { optional: POINT_LLM }
  }
}

/** The fields of a LoadResult that merge and report read, in the order a reader meets them. */
const LOAD_RESULT: Shape = {
  fields: {
    config: { fields: { url: 'string', method: 'string', name: 'string', users: 'number', spawnRate: 'number', runTimeSec: 'number', processes: 'number', shard: 'string?' } },
    startedAt: 'number',
    endedAt: 'number',
    durationSec: 'number',
    endpoints: { list: STATS },
    aggregated: STATS,
    statusCounts: { record: 'number' },
    history: { list: POINT },
    errors: { list: { fields: { method: 'string', name: 'string', error: 'string', occurrences: 'number' } } },
    exceptions: { list: { fields: { count: 'number', message: 'string', traceback: 'string' } } },
    dropped: 'number',
    generator: { fields: { processes: 'number', cpuPercentAvg: 'number', cpuPercentMax: 'number', rssMaxBytes: 'number', saturated: 'boolean' } },
    histograms: { record: 'histogram' },
    llm: { optional: LLM }
  }
}

/** Checks parsed JSON as a LoadResult; every problem is a UsageError naming `file` and the field. */
export function checkLoadResult(value: unknown, file: string): LoadResult {
  const data = value as Record<string, unknown>
  if (typeOf(value) !== 'object' || data.tool !== 'floodgate') {
    throw new UsageError(`${file}: not a floodgate load result (no "tool": "floodgate"); write one with floodgate load --json`, { file })
  }
  if (!LOAD_RESULT_VERSIONS_READ.includes(data.version as number)) {
    throw new UsageError(`${file}: load result version ${JSON.stringify(data.version)} is not supported (this floodgate reads versions ${LOAD_RESULT_VERSIONS_READ.join(' and ')}); ` +
      'merge results written by this floodgate version or an older one', { file, field: 'version' })
  }
  const fail = (field: string, why: string): never => {
    throw new UsageError(`${file}: field "${field}" ${why}`, { file, field })
  }
  // Every top-level field first (a wrong file is named by what it lacks), then each one in depth.
  checkShape(value, topLevel(LOAD_RESULT), '', fail)
  checkShape(value, LOAD_RESULT, '', fail)
  return value as LoadResult
}

/** A field's kind without its contents. */
function topLevel1(field: Shape): Shape {
  if (typeof field === 'string') return field
  if ('optional' in field) return { optional: topLevel1(field.optional) }
  return 'list' in field ? { list: 'any' } : 'record' in field ? { record: 'any' } : { fields: {} }
}

/** `shape` checked one level deep: its fields' kinds, not their contents. */
function topLevel(shape: Shape): Shape {
  if (typeof shape === 'string' || !('fields' in shape)) return shape
  const fields: Record<string, Shape> = {}
  for (const [key, field] of Object.entries(shape.fields)) fields[key] = topLevel1(field)
  return { fields }
}

/** Reads and checks one `floodgate load --json` file. */
export async function readLoadResult(file: string): Promise<LoadResult> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a result file' : messageOf(err)
    throw new UsageError(`${file}: ${why}`, { file })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${messageOf(err)}); expected the file of floodgate load --json`, { file })
  }
  return checkLoadResult(value, file)
}
