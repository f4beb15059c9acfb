// PLACEHOLDER: replaced by the mock command's implementation.
import type { Command } from 'commander'

export function registerMock(_program: Command): void {}
