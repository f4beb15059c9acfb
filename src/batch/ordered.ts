// outputs.jsonl and errors.jsonl in input order while lines finish in any order: each finished line
// waits in its slot until every line before it has finished (or was done in an earlier session), then
// the run of finished lines is written. Lines are written to `<name>.partial` files, renamed into place
// when the run ends, so that a run resumed and interrupted again never loses what the folder held.
import { createWriteStream, type WriteStream } from 'node:fs'
import { rename } from 'node:fs/promises'
import { join } from 'node:path'

/** A finished line: its outputs.jsonl record, and its errors.jsonl record when it failed. */
export interface LineRecord {
  output: string
  error?: string
}

export class OrderedWriter {
  private readonly slots: Array<LineRecord | null | undefined>
  private next = 0
  private readonly outputs: WriteStream
  private readonly errors: WriteStream

  /** `earlier`: lines finished in an earlier session, kept as they were. */
  constructor(private readonly dir: string, total: number, earlier: Map<number, LineRecord>) {
    this.slots = new Array<LineRecord | null | undefined>(total)
    for (const [line, record] of earlier) if (line < total) this.slots[line] = record
    this.outputs = createWriteStream(join(dir, 'outputs.jsonl.partial'))
    this.errors = createWriteStream(join(dir, 'errors.jsonl.partial'))
    this.flush()
  }

  put(line: number, record: LineRecord): void {
    this.slots[line] = record
    if (line === this.next) this.flush()
  }

  private flush(): void {
    const slots = this.slots
    while (this.next < slots.length && slots[this.next]) {
      this.write(slots[this.next]!)
      slots[this.next++] = null
    }
  }

  private write(record: LineRecord): void {
    this.outputs.write(`${record.output}\n`)
    if (record.error) this.errors.write(`${record.error}\n`)
  }

  /** Writes every finished line still waiting (an interrupted run leaves gaps), and puts the files in place. */
  async close(): Promise<void> {
    for (let i = this.next; i < this.slots.length; i++) if (this.slots[i]) this.write(this.slots[i]!)
    await Promise.all([end(this.outputs), end(this.errors)])
    await rename(join(this.dir, 'outputs.jsonl.partial'), join(this.dir, 'outputs.jsonl'))
    await rename(join(this.dir, 'errors.jsonl.partial'), join(this.dir, 'errors.jsonl'))
  }
}

function end(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject)
    stream.end(() => resolve())
  })
}
