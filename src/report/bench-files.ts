// The layout of a bench output folder, written by `floodgate bench` and read back by `floodgate report`:
//   bench.json                       BenchManifest (variants in run order, machine)
//   <variant>/variant.json           VariantMeta (services, load profile, warm-up, status)
//   <variant>/result.json            LoadResult of `floodgate load --json`
//   <variant>/samples.json           VariantSamples (CPU/RSS per process, /metrics, machine)
//   <variant>/<variant>_*.csv        Locust CSVs of `floodgate load --csv`
//   report.md, report.html, charts/*.svg
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, messageOf } from '../errors.js'
import type { LoadResult } from '../load/result.js'
import type { BenchManifest, VariantMeta, VariantRecord, VariantSamples } from './bench-data.js'

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

function readIfPresent<T>(path: string): T | undefined {
  return existsSync(path) ? readJson<T>(path) : undefined
}

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
    const meta = readIfPresent<VariantMeta>(files.meta)
    if (!meta) continue
    const record: VariantRecord = { meta }
    const result = readIfPresent<LoadResult>(files.result)
    const samples = readIfPresent<VariantSamples>(files.samples)
    if (result) record.result = result
    if (samples) record.samples = samples
    records.push(record)
  }
  if (records.length === 0) throw new ConfigError(`${dir}: no variant results in this bench folder`, { file: path })
  return { manifest, records }
}
