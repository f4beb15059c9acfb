// Content negotiation for /score, following pf serve: JSON when the client accepts application/json,
// application/* or */* (or sends no Accept); Server-Sent Events only when text/event-stream is named.
export interface Accepts {
  json: boolean
  eventStream: boolean
}

const JSON_ONLY: Accepts = Object.freeze({ json: true, eventStream: false })

export function parseAccept(header: string | undefined): Accepts {
  // Fast path for what load generators and SDKs send.
  if (header === undefined || header === '' || header === '*/*' || header === 'application/json') return JSON_ONLY
  let json = false
  let eventStream = false
  for (const part of header.split(',')) {
    const [type, ...params] = part.split(';')
    if (params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p))) continue
    const media = type.trim().toLowerCase()
    if (media === 'application/json' || media === 'application/*' || media === '*/*') json = true
    else if (media === 'text/event-stream') eventStream = true
  }
  return { json, eventStream }
}
