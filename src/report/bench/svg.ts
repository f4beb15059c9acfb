// Renders chart options to standalone SVG files for report.md, with echarts' server-side renderer
// (no browser, no DOM). Titles and legends go inside the picture, since a markdown image has no caption.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { NamedChart } from './charts.js'

const WIDTH = 900
const HEIGHT = 340

type Echarts = typeof import('echarts')

/** echarts is loaded on first use: the bench itself does not need it until the report is written. */
async function loadEcharts(): Promise<Echarts> {
  return import('echarts')
}

export function svgOption(chart: NamedChart): Record<string, unknown> {
  const option = chart.option
  return {
    ...option,
    animation: false,
    backgroundColor: '#ffffff',
    title: { text: chart.title, left: 'center', top: 6, textStyle: { fontSize: 14, fontWeight: 'normal' } },
    legend: { bottom: 0, type: 'plain' },
    grid: { ...(option.grid as object), top: 44, bottom: 70 }
  }
}

export async function renderSvg(chart: NamedChart): Promise<string> {
  const echarts = await loadEcharts()
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT })
  try {
    instance.setOption(svgOption(chart))
    return instance.renderToSVGString()
  } finally {
    instance.dispose()
  }
}

/** Writes `<dir>/<id>.svg` for each chart; returns the file names, in order. */
export async function writeSvgCharts(dir: string, charts: NamedChart[]): Promise<string[]> {
  mkdirSync(dir, { recursive: true })
  const names: string[] = []
  for (const chart of charts) {
    const name = `${chart.id}.svg`
    writeFileSync(join(dir, name), await renderSvg(chart))
    names.push(name)
  }
  return names
}
