// A self-contained HTML page: ECharts inlined from node_modules (no CDN, works offline), a list of
// charts given as {title, option} and HTML sections. Used by the load page and the bench report.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { ConfigError } from '../errors.js'
import type { Chart } from './load/charts.js'

export interface PageSection {
  heading: string
  /** Trusted HTML built by the caller (escape data with escapeHtml). */
  html: string
}

export interface PageSpec {
  title: string
  subtitle?: string
  charts: Chart[]
  sections: PageSection[]
  /** Sections placed before the charts (summary, verdicts). */
  lead?: PageSection[]
}

let echartsSource: string | undefined

function echarts(): string {
  if (echartsSource === undefined) {
    let path: string
    try {
      path = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js')
    } catch {
      throw new ConfigError('cannot write the HTML report: the echarts package is not installed (npm install echarts)')
    }
    echartsSource = readFileSync(path, 'utf8')
  }
  return echartsSource
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

/** An HTML table; cells are escaped. Numeric-looking cells are right-aligned. */
export function htmlTable(header: string[], rows: (string | number)[][]): string {
  const td = (v: string | number, tag: string) => {
    const s = String(v)
    return `<${tag}${/^-?[\d.,]+%?$/.test(s) ? ' class="n"' : ''}>${escapeHtml(s)}</${tag}>`
  }
  return `<table><thead><tr>${header.map((h) => td(h, 'th')).join('')}</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.map((c) => td(c, 'td')).join('')}</tr>`).join('')}</tbody></table>`
}

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;margin-bottom:12px}table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
th,td{border:1px solid #e2e2e2;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f6f6}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.chart{height:320px;margin:8px 0 20px}
pre{white-space:pre-wrap;font-size:12px;background:#f8f8f8;padding:8px}.bad{color:#c9302c;font-weight:600}.good{color:#2d7d2d}`

export function renderPage(spec: PageSpec): string {
  const section = (s: PageSection) => `<h2>${escapeHtml(s.heading)}</h2>\n${s.html}`
  const charts = spec.charts.map((c, i) => `<h2>${escapeHtml(c.title)}</h2><div class="chart" id="chart${i}"></div>`).join('\n')
  const options = scriptJson(spec.charts.map((c) => c.option))
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(spec.title)}</title><style>${STYLE}</style>
<script>${echarts().replace(/<\/script/gi, '<\\/script')}</script></head>
<body><h1>${escapeHtml(spec.title)}</h1>${spec.subtitle ? `<div class="sub">${escapeHtml(spec.subtitle)}</div>` : ''}
${(spec.lead ?? []).map(section).join('\n')}
${charts}
${spec.sections.map(section).join('\n')}
<script>
(function () {
  var options = ${options};
  var charts = options.map(function (o, i) {
    var c = echarts.init(document.getElementById('chart' + i), null, { renderer: 'canvas' });
    c.setOption(o);
    return c;
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
</script></body></html>
`
}
