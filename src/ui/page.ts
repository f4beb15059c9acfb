// The live page's HTML: a header with the run's figures and its buttons, the start/edit form, and
// Locust's tabs (statistics, charts, failures, exceptions, download data) plus events, streams and, for
// bench, the variants. Scripts come from this server only; the token rides on their URLs.
import { escapeHtml } from '../report/index.js'

const STYLE = `*{box-sizing:border-box}[hidden]{display:none!important}body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
header{display:flex;flex-wrap:wrap;align-items:center;gap:18px;padding:10px 20px;background:#1f2d3d;color:#fff}
header h1{font-size:17px;margin:0 12px 0 0}header .fig{display:flex;flex-direction:column;font-size:11px;color:#aab8c8}
header .fig b{font-size:16px;color:#fff;font-variant-numeric:tabular-nums}header .buttons{margin-left:auto;display:flex;gap:8px}
button{font:inherit;padding:6px 14px;border:0;border-radius:4px;cursor:pointer;background:#2f7ed8;color:#fff}
button.stop{background:#d9534f}button.secondary{background:#6c7a89}button[hidden]{display:none}
nav{display:flex;gap:2px;padding:0 20px;background:#fff;border-bottom:1px solid #ddd}
nav button{background:none;color:#444;border-radius:0;border-bottom:3px solid transparent;padding:9px 14px}
nav button.on{border-bottom-color:#2f7ed8;color:#000;font-weight:600}
main{padding:14px 20px}section[hidden]{display:none}
table{border-collapse:collapse;width:100%;font-size:13px;background:#fff;margin:4px 0 14px}
th,td{border:1px solid #e2e2e2;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px}
.chart{height:280px;background:#fff;border:1px solid #e2e2e2}
#notice{padding:6px 20px;background:#fff8e1;border-bottom:1px solid #f0e0a0;font-size:13px}#notice:empty{display:none}
form{display:grid;grid-template-columns:max-content 260px;gap:8px 12px;align-items:center;background:#fff;border:1px solid #ddd;
padding:16px;max-width:460px;margin:8px 0}form h2{grid-column:1/3;margin:0;font-size:16px}form .row{display:contents}
form .row[hidden]{display:none}input{font:inherit;padding:4px 6px}form .actions{grid-column:1/3;display:flex;gap:8px}
pre{white-space:pre-wrap;font-size:12px;background:#f5f5f5;padding:6px;margin:0}.muted{color:#777}
.v-ok{color:#2d7d2d}.v-failed{color:#c9302c;font-weight:600}.v-running{color:#2f7ed8;font-weight:600}.v-interrupted{color:#a66f00}
ul.downloads li{margin:4px 0}`

const TABS: [string, string][] = [
  ['charts', 'Charts'], ['stats', 'Statistics'], ['failures', 'Failures'], ['exceptions', 'Exceptions'],
  ['streams', 'Streams'], ['variants', 'Variants'], ['status', 'Status'], ['events', 'Events'], ['downloads', 'Download Data']
]

export function pageHtml(title: string, token: string | null): string {
  const q = token ? `?token=${encodeURIComponent(token)}` : ''
  const fig = (id: string, label: string) => `<div class="fig">${label}<b id="${id}">-</b></div>`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body><header><h1 id="title">${escapeHtml(title)}</h1>
${fig('f-state', 'Status')}${fig('f-users', 'Users')}${fig('f-rps', 'RPS')}${fig('f-fail', 'Failures')}${fig('f-p95', 'p95 (ms)')}${fig('f-elapsed', 'Elapsed')}
<div class="buttons"><button id="b-new" hidden>New</button><button id="b-edit" class="secondary" hidden>Edit</button><button id="b-stop" class="stop" hidden>Stop</button></div></header>
<div id="notice"></div>
<nav>${TABS.map(([id, label]) => `<button data-tab="${id}" id="tab-${id}">${label}</button>`).join('')}</nav>
<main>
<form id="form" hidden><h2 id="form-title">Start a new load test</h2>
<label class="row" id="row-users"><span>Number of users (peak concurrency)</span><input id="in-users" name="users" inputmode="numeric"></label>
<label class="row" id="row-spawn"><span>Ramp up (users started/second)</span><input id="in-spawn" name="spawnRate" inputmode="decimal"></label>
<label class="row" id="row-rate"><span>Rate (requests/second)</span><input id="in-rate" name="rate" inputmode="decimal"></label>
<label class="row" id="row-host"><span>Host (URL)</span><input id="in-host" name="host"></label>
<label class="row" id="row-time"><span>Run time (e.g. 30s, 5m)</span><input id="in-time" name="runTime"></label>
<div class="actions"><button type="submit" id="b-submit">Start</button><button type="button" class="secondary" id="b-cancel">Cancel</button></div></form>
<section id="s-charts"><div class="charts" id="charts"></div></section>
<section id="s-stats"><table id="t-stats"></table></section>
<section id="s-failures"><table id="t-failures"></table></section>
<section id="s-exceptions"><div id="t-exceptions"></div></section>
<section id="s-streams"><table id="t-streams"></table></section>
<section id="s-variants"><table id="t-variants"></table></section>
<section id="s-status"><table id="t-status"></table><table id="t-status-rows"></table></section>
<section id="s-events"><table id="t-events"></table></section>
<section id="s-downloads"><ul class="downloads" id="t-downloads"></ul></section>
</main>
<script src="/assets/echarts.min.js${q}"></script><script src="/assets/dashboard.js${q}"></script></body></html>
`
}
