// PLACEHOLDER: replaced by the report command's implementation.
import type { Command } from 'commander'

export function registerReport(_program: Command): void {}
