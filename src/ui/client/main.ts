// The live page's script (bundled by esbuild for the browser, see ../assets.ts): reads one LiveMessage a
// second from /api/events, draws the charts with ECharts (the report's chart options) and the tables,
// and drives the controls. Every call carries the page's token.
import type { LiveMessage } from '../messages.js'
import { renderCharts, resetCharts, resizeCharts } from './charts.js'
import { renderTables } from './tables.js'
import { setupForm, showForm } from './form.js'
import { $, api } from './dom.js'

let last: LiveMessage | null = null
/** Messages received so far: a control's answer must not cover the notice of a newer message. */
let received = 0
let tab = new URLSearchParams(location.search).get('tab') ?? 'charts'

function showTab(name: string): void {
  tab = name
  document.querySelectorAll<HTMLElement>('nav button').forEach((b) => b.classList.toggle('on', b.dataset.tab === name))
  document.querySelectorAll<HTMLElement>('main section').forEach((s) => (s.hidden = s.id !== `s-${name}`))
  if (name === 'charts') resizeCharts()
}

function fmt(n: number | null | undefined, digits = 0): string {
  return n === null || n === undefined ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

function header(m: LiveMessage): void {
  const total = m.stats.at(-1)
  const point = m.points.at(-1)
  $('title').textContent = m.title
  $('f-state').textContent = m.state
  if (point) $('f-users').textContent = m.mode === 'open' ? `${fmt(point.inFlight)} in flight` : fmt(point.users)
  // While a bench or capacity step runs in its own process only its progress points arrive (the stats
  // table fills when the step ends), so the running figure is the newest second's.
  const rps = m.state === 'running' ? point?.rps : total?.currentRps ?? 0
  if (rps !== undefined) $('f-rps').textContent = fmt(rps, 1)
  $('f-fail').textContent = total && total.requests ? `${fmt((total.failures / total.requests) * 100, 1)}%` : '0%'
  $('f-p95').textContent = fmt(total?.p95Ms ?? null, 1)
  $('f-elapsed').textContent = m.startedAt ? `${fmt(((point?.t ?? Date.now() / 1000) * 1000 - m.startedAt) / 1000)} s` : '-'
  $('notice').textContent = m.notice
  $('b-new').hidden = !(m.canStart && m.state !== 'ready')
  $('b-edit').hidden = !m.canEdit
  $('b-stop').hidden = !m.canStop
  const tabs: Record<string, boolean> = { streams: m.streams !== null, variants: m.bench !== undefined, status: m.status !== undefined }
  for (const [name, visible] of Object.entries(tabs)) $(`tab-${name}`).hidden = !visible
}

function render(m: LiveMessage): void {
  if (last && m.run !== last.run) resetCharts()
  if (m.state === 'ready' && m.canStart && (!last || last.state !== 'ready')) showForm('start', m)
  last = m
  received++
  header(m)
  renderCharts(m)
  renderTables(m)
}

function connect(): void {
  const events = new EventSource(api('/api/events'))
  events.onmessage = (e: MessageEvent<string>) => render(JSON.parse(e.data) as LiveMessage)
}

document.querySelectorAll<HTMLElement>('nav button').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab!)))
$('b-stop').addEventListener('click', () => void post('/api/stop', {}))
$('b-edit').addEventListener('click', () => last && showForm('edit', last))
$('b-new').addEventListener('click', () => last && showForm('start', last))
window.addEventListener('resize', resizeCharts)
setupForm(post)
showTab(tab)
connect()

async function post(path: string, body: Record<string, unknown>): Promise<boolean> {
  const sent = received
  const res = await fetch(api(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const answer = (await res.json()) as { success: boolean; message: string }
  // Stop's "stopping..." arriving after the message that says the test stopped would read as still stopping.
  if (!answer.success || received === sent) $('notice').textContent = answer.message
  return answer.success
}
