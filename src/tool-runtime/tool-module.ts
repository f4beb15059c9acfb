// How a tool module's exports are read, the same in the main thread and in pool threads.

/** A module's exports as a tool sees them: a CommonJS module's `exports.default` stands for its default export. */
export function moduleExports(mod: Record<string, unknown>): Record<string, unknown> {
  const inner = mod.default as Record<string, unknown> | undefined
  return inner !== null && typeof inner === 'object' && inner.__esModule === true ? inner : mod
}
