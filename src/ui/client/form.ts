// The start / edit form, as Locust's: a new test takes users, ramp-up, host and run time (or the rate
// of an open loop); Edit changes users and ramp-up (or the rate) of the running test.
import type { LiveMessage } from '../messages.js'
import { $ } from './dom.js'

let kind: 'start' | 'edit' = 'start'

const input = (id: string) => $(id) as HTMLInputElement

export function showForm(which: 'start' | 'edit', m: LiveMessage): void {
  kind = which
  const open = m.mode === 'open'
  $('form-title').textContent = which === 'start' ? 'Start a new load test' : 'Edit the running load test'
  $('b-submit').textContent = which === 'start' ? 'Start' : 'Update'
  $('row-users').hidden = open
  $('row-spawn').hidden = open
  $('row-rate').hidden = !open
  $('row-host').hidden = which === 'edit'
  $('row-time').hidden = which === 'edit'
  const point = m.points.at(-1)
  input('in-users').value = String(which === 'edit' && point ? point.users : m.form.users)
  input('in-spawn').value = String(m.form.spawnRate)
  input('in-rate').value = String(m.form.rate ?? '')
  input('in-host').value = m.form.host
  input('in-time').value = m.form.runTime
  $('b-cancel').hidden = which === 'start' && m.state === 'ready'
  $('form').hidden = false
}

export function setupForm(post: (path: string, body: Record<string, unknown>) => Promise<boolean>): void {
  $('b-cancel').addEventListener('click', () => ($('form').hidden = true))
  $('form').addEventListener('submit', (e) => {
    e.preventDefault()
    const body: Record<string, unknown> = {}
    for (const [id, name] of [['in-users', 'users'], ['in-spawn', 'spawnRate'], ['in-rate', 'rate'], ['in-host', 'host'], ['in-time', 'runTime']]) {
      const row = input(id).closest('.row') as HTMLElement
      if (!row.hidden) body[name] = input(id).value.trim()
    }
    void post(kind === 'start' ? '/api/start' : '/api/edit', body).then((ok) => {
      if (ok) $('form').hidden = true
    })
  })
}
