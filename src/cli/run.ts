// PLACEHOLDER: replaced by the run command's implementation.
import type { Command } from 'commander'

export function registerRun(_program: Command): void {}
