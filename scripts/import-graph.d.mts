// Types of import-graph.mjs, for the tests that import it.
export function importsOf(file: string): Array<{ specifier: string; target: string }>
export function analyse(): { arrows: Map<string, { count: number; problems: Set<string> }>; problems: string[] }
