// PLACEHOLDER: replaced by the bench command's implementation.
import type { Command } from 'commander'

export function registerBench(_program: Command): void {}
