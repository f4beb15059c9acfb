// The layout of a bench output folder, written by `floodgate bench` and read back by `floodgate report`:
//   bench.json                       BenchManifest (variants in run order, machine)
//   <variant>/variant.json           VariantMeta (services, load profile, warm-up, status)
//   <variant>/result.json            LoadResult of `floodgate load --json`
//   <variant>/samples.json           VariantSamples (CPU/RSS per process, /metrics, machine)
//   <variant>/<variant>_*.csv        Locust CSVs of `floodgate load --csv`
//   report.md, report.html, charts/*.svg
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, messageOf } from '../../errors.js'
import { checkLoadResult, checkShape, type Shape } from '../../load/index.js'
import type { BenchManifest, VariantMeta, VariantRecord, VariantSamples } from './data.js'

export const MANIFEST = 'bench.json'

export const variantFiles = (dir: string, variant: string) => ({
  dir: join(dir, variant),
  meta: join(dir, variant, 'variant.json'),
  result: join(dir, variant, 'result.json'),
  samples: join(dir, variant, 'samples.json'),
  csvPrefix: join(dir, variant, variant)
})

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 1)}\n`)
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the bench results: ${messageOf(err)}`, { file: path })
  }
}

function readIfPresent<T>(path: string, shape: Shape): T | undefined {
  if (!existsSync(path)) return undefined
  const value = readJson<T>(path)
  checkShape(value, shape, '', (field, why) => {
    throw new ConfigError(`${path}: cannot read the bench results: field "${field}" ${why}`, { file: path, field })
  })
  return value
}

// The fields of a bench folder's files that the report reads (result.json: src/load/result-file.ts).
const VARIANT_META: Shape = {
  fields: {
    name: 'string', kind: 'string', target: 'string', url: 'string',
    services: { list: { fields: { name: 'string', type: 'string', url: 'string', args: { list: 'string' } } } },
    workers: 'number?', threads: 'number?', maxConcurrency: 'number?',
    load: { fields: { users: 'number', spawnRate: 'number', runTimeSec: 'number', wait: 'string', method: 'string', path: 'string' } },
    declaredServiceTimeSec: 'number?', warmupMs: { list: 'number' }, status: 'string', error: 'string?', startedAt: 'number', endedAt: 'number'
  }
}

const METRICS_SAMPLE: Shape = {
  fields: {
    t: 'number', runsInProgress: 'number|null', queueDepth: 'number|null', rejectedTotal: 'number|null', poolThreads: 'number|null',
    poolRunning: 'number|null', poolQueue: 'number|null', poolUtilization: 'number|null', eventLoopDelaySec: 'number|null',
    poolRunSlots: 'number|null?', poolRuns: 'number|null?', poolRunsWaiting: 'number|null?', poolThreadsMax: 'number|null?'
  }
}

const VARIANT_SAMPLES: Shape = {
  fields: {
    intervalSec: 'number',
    cores: 'number',
    processes: {
      list: {
        fields: {
          role: 'string', service: 'string', label: 'string', pid: 'number',
          samples: { list: { fields: { t: 'number', cpuMs: 'number', cpuPercent: 'number', rssBytes: 'number' } } }
        }
      }
    },
    metrics: { list: METRICS_SAMPLE },
    machine: { list: { fields: { t: 'number', busyPercent: 'number' } } },
    nodeTimings: { list: { fields: { node: 'string', count: 'number', meanSec: 'number' } } }
  }
}

const ANY: Shape = 'any'

/** Reads a bench folder; variants whose files are missing are skipped, a folder with none is an error. */
export function readBench(dir: string): { manifest: BenchManifest; records: VariantRecord[] } {
  const path = join(dir, MANIFEST)
  if (!existsSync(path)) throw new ConfigError(`${dir}: not a bench folder (no ${MANIFEST}; run \`floodgate bench --out ${dir}\` first)`, { file: path })
  const manifest = readJson<BenchManifest>(path)
  if (!Array.isArray(manifest?.variants) || !manifest.variants.every((v) => typeof v === 'string')) {
    throw new ConfigError(`${path}: cannot read the bench results: "variants" is not a list of variant names`, { file: path })
  }
  const records: VariantRecord[] = []
  for (const name of manifest.variants) {
    const files = variantFiles(dir, name)
    const meta = readIfPresent<VariantMeta>(files.meta, VARIANT_META)
    if (!meta) continue
    const record: VariantRecord = { meta }
    const result = readIfPresent<unknown>(files.result, ANY)
    const samples = readIfPresent<VariantSamples>(files.samples, VARIANT_SAMPLES)
    // Checked as merge checks a result file: one line naming the file and the field.
    if (result !== undefined) record.result = checkLoadResult(result, files.result)
    if (samples) record.samples = samples
    records.push(record)
  }
  if (records.length === 0) throw new ConfigError(`${dir}: no variant results in this bench folder`, { file: path })
  return { manifest, records }
}
