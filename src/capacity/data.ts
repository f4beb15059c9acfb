// capacity.json: what `floodgate capacity` found, the contract scripts read (snake_case, as the issue
// fixed its fields). Add fields freely, never change a meaning; bump CAPACITY_VERSION when a reader of an
// older file would misread a newer one. Every step carries the LoadResult its generator wrote.
import type { LoadResult } from '../load/index.js'
import type { ServiceInfo, VariantKind } from '../report/bench/data.js'
import type { StepPurpose, StopReason } from './search.js'
import type { CapacityMode } from './step-shape.js'

export const CAPACITY_VERSION = 1

export type CapacityUnit = 'users' | 'rps'

export type Saturated = 'pool' | 'cpu' | 'event_loop' | 'downstream' | 'generator' | 'none'

export interface SloOutcome {
  slo: string
  /** The measured figure over the step's steady part (ms, ratio, req/s or count); null when none. */
  actual: number | null
  passed: boolean
}

export interface CapacityStep {
  /** 1-based, in the order run. */
  index: number
  load: number
  unit: CapacityUnit
  purpose: StepPurpose
  /** interrupted: cut short by Ctrl-C; it decides nothing. */
  status: 'ok' | 'interrupted'
  passed: boolean
  /** The worst SLO's margin (see slo.ts); null when nothing was measured. */
  margin: number | null
  /** The SLO furthest past its bound when the step failed. */
  broke: string | null
  slo: SloOutcome[]
  /** Successful requests/s over the steady part. */
  achieved_rps: number
  /** What the load asks for: users / cycle at the service time, or the rate. */
  offered_rps: number | null
  p50_ms: number | null
  p99_ms: number | null
  requests: number
  failures: number
  /** The steady part: whole windows ending after `from` and by `to` (epoch seconds); the ramp before it. */
  steady: { from: number; to: number; windows: number; ramp_sec: number }
  /** The bench analysis' verdict on the steady part. */
  verdict: string
  /** Resource that gave out at this step, from the same evidence (see saturation.ts). */
  saturated: Saturated
  evidence: string
  /** The step's folder, relative to capacity.json: variant.json, result.json, samples.json, CSVs. */
  dir: string
  /** The whole step as the load generator wrote it. */
  result: LoadResult
}

export interface CapacityPoint {
  load: number
  unit: CapacityUnit
  achieved_rps: number
  p50_ms: number | null
  p99_ms: number | null
  /** The step this comes from (its last run at this load). */
  step: number
}

export interface CapacityFile {
  version: typeof CAPACITY_VERSION
  tool: 'floodgate'
  kind: 'capacity'
  created_at: string
  target: { variant: string; kind: VariantKind; url: string; services: ServiceInfo[] }
  mode: CapacityMode
  unit: CapacityUnit
  slo: string[]
  bounds: { lowest: number; highest: number }
  load: { wait: string; method: string; path: string; timeout_sec: number }
  /** How each step ran (null when the run ended before calibration). */
  step_shape: { run_sec: number; ramp_sec: number; spawn_sec: number; settle_sec: number; measure_sec: number } | null
  budget_sec: number
  elapsed_sec: number
  calibration: {
    requests: number
    latencies_ms: number[]
    service_ms: number
    cpu_ms_per_request: number | null
    cores: number
    run_slots: number | null
  } | null
  prediction: { max_rps: number | null; limited_by: string | null; load: number; text: string } | null
  /** Highest load whose every run passed, below the first failing one. */
  capacity: (CapacityPoint & { at_least: boolean; confirmed: boolean }) | null
  first_failing: (CapacityPoint & { broke: string; actual: number | null }) | null
  saturated: Saturated
  saturation: { evidence: string; step: number | null }
  stop_reason: StopReason
  interrupted: boolean
  /** What ended the run early, when something failed (the steps before it are kept). */
  error: string | null
  /** The finding in one sentence. */
  summary: string
  steps: CapacityStep[]
}
