// Locust's wait_time functions, as seconds to wait after a task. `taskSec` is how long the task just
// took (Locust's constant_pacing measures from the end of the previous wait to now).
import type { WaitSpec } from './parse.js'

export function waitSeconds(spec: WaitSpec, taskSec: number, random: () => number = Math.random): number {
  switch (spec.kind) {
    case 'between':
      return spec.min + random() * (spec.max - spec.min)
    case 'constant':
      return spec.seconds
    case 'throughput':
      // constant_throughput(r) is constant_pacing(1 / r) in Locust.
      return Math.max(0, 1 / spec.perSecond - taskSec)
    case 'pacing':
      return Math.max(0, spec.seconds - taskSec)
    case 'none':
      return 0
  }
}
