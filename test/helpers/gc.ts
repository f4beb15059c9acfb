// Collection checks: whether objects are still reachable once the code that made them is done.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { setImmediate as tick } from 'node:timers/promises'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** For each weak reference, whether its object was collected after a few full collections. */
export async function collected(refs: Array<WeakRef<object>>): Promise<boolean[]> {
  for (let i = 0; i < 5; i++) {
    await tick()
    gc()
  }
  return refs.map((ref) => ref.deref() === undefined)
}
