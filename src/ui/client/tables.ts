// The live page's tables: Locust's statistics (by name, then Aggregated), failures and exceptions, and
// the streams, bench variants, status lines, load changes and downloads.
import type { LiveMessage } from '../messages.js'
import { $, api, escapeHtml, table } from './dom.js'

const ms = (v: number | null) => (v === null ? '-' : v.toFixed(1))
const rate = (v: number) => v.toFixed(2)
const time = (epochMs: number) => new Date(epochMs).toLocaleTimeString()

export function renderTables(m: LiveMessage): void {
  ;($('t-stats') as HTMLTableElement).innerHTML = table(
    ['Type', 'Name', '# Requests', '# Fails', 'Median (ms)', '95%ile (ms)', '99%ile (ms)', 'Average (ms)', 'Min (ms)', 'Max (ms)',
      'Average size (bytes)', 'Current RPS', 'Current Failures/s'],
    m.stats.map((s) => [s.method, s.name, s.requests, s.failures, ms(s.medianMs), ms(s.p95Ms), ms(s.p99Ms), ms(s.meanMs), ms(s.minMs), ms(s.maxMs),
      s.avgContentBytes.toFixed(0), rate(s.currentRps), rate(s.currentFailuresPerSec)]), m.stats.length > 0)
  ;($('t-failures') as HTMLTableElement).innerHTML = m.errors.length
    ? table(['# Failures', 'Method', 'Name', 'Message'], m.errors.map((e) => [e.occurrences, e.method, e.name, e.error]))
    : '<tbody><tr><td class="muted">No failures.</td></tr></tbody>'
  $('t-exceptions').innerHTML = m.exceptions.length
    ? m.exceptions.map((e) => `<p><b>${e.count} x</b> ${escapeHtml(e.message)}</p><pre>${escapeHtml(e.traceback)}</pre>`).join('')
    : '<p class="muted">No exceptions.</p>'
  const st = m.streams
  ;($('t-streams') as HTMLTableElement).innerHTML = st
    ? table(['Streamed', 'Completed', 'TTFT p50 (ms)', 'TTFT p95 (ms)', 'TTFT p99 (ms)', 'ITL p50 (ms)', 'Output tokens', 'Output tokens/s', 'Goodput (req/s)'],
      [[st.streamed, st.completed, ms(st.ttftP50), ms(st.ttftP95), ms(st.ttftP99), ms(st.itlP50), st.outputTokens, rate(st.outputTokensPerSec),
        st.goodputPerSec === null ? '-' : rate(st.goodputPerSec)]])
    : ''
  if (m.bench) {
    $('t-variants').innerHTML = table(['Variant', 'Status', '# Requests', '# Fails', 'Requests/s', 'p50 (ms)', 'p95 (ms)', 'Verdict'],
      m.bench.map((v) => [v.name, v.status, v.requests, v.failures, rate(v.rps), ms(v.p50), ms(v.p95), v.verdict?.text ?? '']))
    m.bench.forEach((v, i) => $('t-variants').querySelectorAll('tbody tr')[i]?.classList.add(`v-${v.status}`))
  }
  if (m.status) $('t-status').innerHTML = table(['', ''], m.status.map((s) => [s.label, s.value]))
  const own = m.statusTable
  $('t-status-rows').innerHTML = own ? table(own.columns, own.rows.map((r) => r.cells)) : ''
  own?.rows.forEach((r, i) => r.kind && $('t-status-rows').querySelectorAll('tbody tr')[i]?.classList.add(`v-${r.kind}`))
  ;($('t-events') as HTMLTableElement).innerHTML = m.events.length
    ? table(['Time', 'Change'], m.events.map((e) => [time(e.at), e.text]))
    : '<tbody><tr><td class="muted">No changes made to the load during this test.</td></tr></tbody>'
  $('t-downloads').innerHTML = m.downloads.length
    ? m.downloads.map((d) => `<li><a href="${escapeHtml(api(d.href))}">${escapeHtml(d.label)}</a></li>`).join('')
    : '<li class="muted">Nothing to download yet.</li>'
}
