// Small DOM helpers of the live page: elements by id, escaped cells, and URLs that carry the token.
import { escapeHtml } from '../../report/escape.js'

const token = new URLSearchParams(location.search).get('token')

export function $(id: string): HTMLElement {
  return document.getElementById(id)!
}

/** A same-origin URL with the page's token (EventSource and links cannot send headers). */
export function api(path: string): string {
  return token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path
}

/** A table's HTML; numbers right-aligned; `total` marks the last row (Aggregated). */
export function table(header: string[], rows: (string | number)[][], total = false): string {
  const cell = (v: string | number, tag: string) => `<${tag}${/^-?[\d.,]+%?$/.test(String(v)) ? ' class="n"' : ''}>${escapeHtml(String(v))}</${tag}>`
  return `<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${
    rows.map((r, i) => `<tr${total && i === rows.length - 1 ? ' class="total"' : ''}>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('')}</tbody>`
}

export { escapeHtml }
