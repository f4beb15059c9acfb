// Sync-tool tasks waiting for a pool thread, served by run start, not by arrival: a free thread goes to
// the task of the run that started first, so a run's later node never waits behind the first nodes of
// runs that came after it (a FIFO of nodes let one request wait 53 s in the study's load). A binary
// min-heap on (run, order); tasks know their place in it, so a cancelled task leaves in O(log n).

export interface QueuedTask {
  /** The run's sequence number: smaller started earlier. */
  readonly run: number
  /** Submission order, breaking ties within a run. */
  readonly order: number
  /** Position in the heap; -1 when not queued. */
  queueIndex: number
}

const before = (a: QueuedTask, b: QueuedTask): boolean => a.run < b.run || (a.run === b.run && a.order < b.order)

export class TaskQueue<T extends QueuedTask> {
  private readonly heap: T[] = []

  get size(): number {
    return this.heap.length
  }

  push(task: T): void {
    task.queueIndex = this.heap.length
    this.heap.push(task)
    this.up(task.queueIndex)
  }

  /** The task of the earliest run, or undefined when empty. */
  shift(): T | undefined {
    const heap = this.heap
    if (heap.length === 0) return undefined
    const top = heap[0]!
    this.removeAt(0)
    return top
  }

  remove(task: T): void {
    if (task.queueIndex >= 0 && this.heap[task.queueIndex] === task) this.removeAt(task.queueIndex)
  }

  /** Takes every task out, earliest run first. */
  drain(): T[] {
    const all: T[] = []
    for (let t = this.shift(); t !== undefined; t = this.shift()) all.push(t)
    return all
  }

  private removeAt(i: number): void {
    const heap = this.heap
    const gone = heap[i]!
    gone.queueIndex = -1
    const last = heap.pop()!
    if (i === heap.length) return
    heap[i] = last
    last.queueIndex = i
    this.up(i)
    this.down(last.queueIndex)
  }

  private up(i: number): void {
    const heap = this.heap
    const task = heap[i]!
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(task, heap[parent]!)) break
      this.place(heap[parent]!, i)
      i = parent
    }
    this.place(task, i)
  }

  private down(i: number): void {
    const heap = this.heap
    const task = heap[i]!
    for (;;) {
      const left = 2 * i + 1
      if (left >= heap.length) break
      const right = left + 1
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left
      if (!before(heap[child]!, task)) break
      this.place(heap[child]!, i)
      i = child
    }
    this.place(task, i)
  }

  private place(task: T, i: number): void {
    this.heap[i] = task
    task.queueIndex = i
  }
}
