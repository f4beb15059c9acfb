// PLACEHOLDER: replaced by the serve command's implementation.
import type { Command } from 'commander'

export function registerServe(_program: Command): void {}
