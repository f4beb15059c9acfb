// Dependency graph checks done once at load.

/** A dependency cycle as node indices, first repeated at the end (a -> b -> a), or null if none. */
export function findCycle(deps: number[][]): number[] | null {
  const state = new Uint8Array(deps.length) // 0 new, 1 on the current path, 2 done
  const path: number[] = []
  const visit = (i: number): number[] | null => {
    state[i] = 1
    path.push(i)
    for (const d of deps[i]!) {
      if (state[d] === 1) return [...path.slice(path.indexOf(d)), d]
      if (state[d] === 0) {
        const found = visit(d)
        if (found) return found
      }
    }
    path.pop()
    state[i] = 2
    return null
  }
  for (let i = 0; i < deps.length; i++) {
    if (state[i] === 0) {
      const found = visit(i)
      if (found) return found
    }
  }
  return null
}

export function dependentsOf(deps: number[][]): number[][] {
  const out: number[][] = deps.map(() => [])
  deps.forEach((list, i) => list.forEach((d) => out[d]!.push(i)))
  return out
}
