// PLACEHOLDER: replaced by the load command's implementation.
import type { Command } from 'commander'

export function registerLoad(_program: Command): void {}
