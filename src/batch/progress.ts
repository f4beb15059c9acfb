// A batch run's progress on stderr: on a terminal a bar redrawn in place (done / failed / rate / ETA),
// otherwise (a log, CI) one plain line every few seconds.

export interface ProgressCounts {
  done: number
  failed: number
}

const BAR = 24

function eta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  if (seconds < 60) return `${Math.ceil(seconds)} s`
  const m = Math.floor(seconds / 60)
  return m < 60 ? `${m} min ${Math.round(seconds % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`
}

/** The progress text: `412/1000 done, 3 failed, 95.2 lines/s, ETA 6 s`. */
export function progressText(counts: ProgressCounts, todo: number, elapsedSec: number): string {
  const rate = elapsedSec > 0 ? counts.done / elapsedSec : 0
  const left = todo - counts.done
  return `${counts.done}/${todo} done, ${counts.failed} failed, ${rate.toFixed(1)} lines/s, ETA ${left === 0 ? '0 s' : eta(rate > 0 ? left / rate : Infinity)}`
}

export class Progress {
  private readonly timer: NodeJS.Timeout
  private readonly started = performance.now()

  constructor(private readonly counts: ProgressCounts, private readonly todo: number, private readonly out: NodeJS.WriteStream = process.stderr) {
    this.timer = setInterval(() => this.draw(), out.isTTY ? 200 : 5000).unref()
  }

  private draw(): void {
    const text = progressText(this.counts, this.todo, (performance.now() - this.started) / 1000)
    if (!this.out.isTTY) {
      this.out.write(`${text}\n`)
      return
    }
    const filled = this.todo > 0 ? Math.round((this.counts.done / this.todo) * BAR) : BAR
    this.out.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${text}`)
  }

  stop(): void {
    clearInterval(this.timer)
    if (this.out.isTTY) this.out.write('\r\x1b[2K')
  }
}
