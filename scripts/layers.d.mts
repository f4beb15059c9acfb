// Types of layers.mjs, for the tests that import it.
export interface ImportProblem { kind: 'unknown folder' | 'against the layers' | 'into internals'; message: string }
export const BASE: string[]
export const PATHS: string[][]
export const TOP: string[]
export const CONTRACTS: Record<string, string>
export function unitOf(path: string): string
export function allowedFrom(unit: string): string[] | undefined
export function checkImport(from: string, to: string): ImportProblem | null
