// Changes made to a running load (the web UI's Edit), in the load report: a table, and a dashed mark on
// each time chart at the second it was made, as the live page draws them.
import { eventText, type LoadResult } from '../../load/index.js'
import { eventMarkLine, type Chart } from './charts.js'
import { htmlTable, type PageSection } from '../page.js'

export function eventsSection(result: LoadResult): PageSection | null {
  const events = result.events ?? []
  if (!events.length) return null
  return {
    heading: 'Changes made during the run',
    html: htmlTable(['Time', 'Second of the run', 'Change'], events.map((e) => [
      new Date(e.at).toISOString(), ((e.at - result.startedAt) / 1000).toFixed(1), eventText(e)
    ]))
  }
}

/** The charts with each change marked (x: seconds since start, as charts.ts plots them). */
export function markEvents(charts: Chart[], result: LoadResult): Chart[] {
  const events = result.events ?? []
  if (!events.length) return charts
  const markLine = eventMarkLine(events.map((e) => ({ x: Math.round((e.at - result.startedAt) / 100) / 10, text: eventText(e) })))
  return charts.map((c) => {
    const series = c.option.series as Record<string, unknown>[] | undefined
    if (!series?.length) return c
    return { ...c, option: { ...c.option, series: [{ ...series[0], markLine }, ...series.slice(1)] } }
  })
}
