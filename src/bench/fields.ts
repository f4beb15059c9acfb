// Typed reads of a parsed bench.yaml: each check either returns the value or throws a ConfigError that
// names the file, the field's path and the value at fault: `bench.yaml: variants[2].serve.workers:
// expected a positive integer, got "x"`.
import { ConfigError } from '../errors.js'
import { MAX_TIMER_SECONDS, MAX_TIMER_TEXT } from '../timer-limit.js'
import { shown } from '../shown.js'

export type Obj = Record<string, unknown>

export class Fields {
  constructor(readonly file: string) {}

  fail(path: string, message: string): never {
    throw new ConfigError(`${this.file}: ${path}: ${message}`, { file: this.file, field: path })
  }

  expect(path: string, what: string, value: unknown): never {
    this.fail(path, `expected ${what}, got ${shown(value)}`)
  }

  object(path: string, value: unknown, allowed: readonly string[]): Obj {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.expect(path, 'a mapping', value)
    for (const key of Object.keys(value as Obj)) {
      if (!allowed.includes(key)) this.fail(`${path}.${key}`, `unknown field (expected one of: ${allowed.join(', ')})`)
    }
    return value as Obj
  }

  list(path: string, value: unknown): unknown[] {
    if (!Array.isArray(value)) this.expect(path, 'a list', value)
    return value as unknown[]
  }

  string(path: string, value: unknown): string {
    if (typeof value !== 'string' || value === '') this.expect(path, 'a non-empty string', value)
    return value as string
  }

  oneOf<T extends string>(path: string, value: unknown, choices: readonly T[]): T {
    if (typeof value !== 'string' || !choices.includes(value as T)) this.expect(path, `one of ${choices.join(', ')}`, value)
    return value as T
  }

  nonNegativeNumber(path: string, value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) this.expect(path, 'a number >= 0', value)
    return value as number
  }

  /** Seconds a timer waits: >= 0 (> 0 when `positive`), and no longer than a timer holds. */
  seconds(path: string, value: unknown, positive = false): number {
    const n = positive ? this.positiveNumber(path, value) : this.nonNegativeNumber(path, value)
    if (n > MAX_TIMER_SECONDS) this.expect(path, `at most ${MAX_TIMER_TEXT}`, value)
    return n
  }

  fraction(path: string, value: unknown): number {
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) this.expect(path, 'a number between 0 and 1', value)
    return value as number
  }

  intBetween(path: string, value: unknown, min: number, max: number): number {
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) this.expect(path, `an integer from ${min} to ${max}`, value)
    return value as number
  }

  positiveNumber(path: string, value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) this.expect(path, 'a positive number', value)
    return value as number
  }

  positiveInt(path: string, value: unknown): number {
    if (!Number.isInteger(value) || (value as number) <= 0) this.expect(path, 'a positive integer', value)
    return value as number
  }

  nonNegativeInt(path: string, value: unknown): number {
    if (!Number.isInteger(value) || (value as number) < 0) this.expect(path, 'an integer >= 0', value)
    return value as number
  }

  stringMap(path: string, value: unknown): Record<string, string> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.expect(path, 'a mapping of names to strings', value)
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(value as Obj)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') this.expect(`${path}.${k}`, 'a string', v)
      out[k] = String(v)
    }
    return out
  }

  stringList(path: string, value: unknown): string[] {
    return this.list(path, value).map((v, i) => {
      if (typeof v !== 'string' && typeof v !== 'number') this.expect(`${path}[${i}]`, 'a string', v)
      return String(v)
    })
  }
}
