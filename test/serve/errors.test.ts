// test:concurrent
// What src/serve/errors.ts makes of an error: its status and PromptFlow envelope, for every class of
// src/errors.ts, fastify's own errors and anything else thrown; the message a client reads (5xx messages
// lose server paths and addresses, and no answer holds a stack or a detail naming a file); and the whole
// answers written to connections fastify never sees as requests.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as errors from '../../src/errors.js'
import { clientErrorResponse, envelope, mapError, publicMessage, rawErrorResponse } from '../../src/serve/errors.js'

// A message holding a server path and an internal address, and what a client may read of it.
const RAW = "open '/srv/flows/chat/data/prompts.txt' failed; GET http://10.0.0.7:8080/v1 refused"
const CUT = "open 'prompts.txt' failed; GET <address> refused"
// Every detail an error can carry; only node, input and field are the client's business.
const DETAILS = { file: '/srv/flows/chat/flow.dag.yaml', flag: '--flow', node: 'answer', input: 'question', field: 'body', trace: { nodes: [] } }
const PUBLIC = { node: 'answer', input: 'question', field: 'body' }

test('every error class: its status, category and code; 5xx messages cut, 4xx kept; only node, input and field as details', () => {
  const cases: Array<[errors.FloodgateError, number, errors.ErrorCategory, string]> = [
    [new errors.FloodgateError(RAW, DETAILS), 500, 'SystemError', 'FLOODGATE_ERROR'],
    [new errors.UsageError(RAW, DETAILS), 400, 'UserError', 'USAGE'],
    [new errors.FlowDefinitionError(RAW, DETAILS), 500, 'UserError', 'FLOW_INVALID'],
    [new errors.InputError(RAW, DETAILS), 400, 'UserError', 'INPUT_INVALID'],
    [new errors.ToolError(RAW, DETAILS), 500, 'UserError', 'TOOL_FAILED'],
    [new errors.TimeoutError(RAW, DETAILS), 504, 'SystemError', 'TIMEOUT'],
    [new errors.AbortedError(RAW, DETAILS), 499, 'SystemError', 'ABORTED'],
    [new errors.OverloadError(RAW, DETAILS), 503, 'SystemError', 'OVERLOADED'],
    [new errors.ShuttingDownError(RAW, DETAILS), 503, 'SystemError', 'SHUTTING_DOWN'],
    [new errors.HttpRequestError(406, RAW, DETAILS), 406, 'UserError', 'BAD_REQUEST'],
    [new errors.ConfigError(RAW, DETAILS), 500, 'UserError', 'CONFIG_INVALID'],
    [new errors.UpstreamError(RAW, DETAILS), 502, 'SystemError', 'UPSTREAM_FAILED'],
    [new errors.TemplateError(RAW, DETAILS), 500, 'UserError', 'TEMPLATE_INVALID'],
    [new errors.StartupError(RAW, DETAILS), 500, 'SystemError', 'STARTUP_FAILED'],
    [new errors.ThresholdError(RAW, DETAILS), 500, 'UserError', 'THRESHOLD_FAILED']
  ]
  for (const [err, status, category, code] of cases) {
    // 4xx messages are about the client's own request and are left as they are.
    const message = status < 500 ? RAW : CUT
    assert.deepEqual(mapError(err), { status, body: { error: { code: category, message, inner_error: { code, ...PUBLIC } } } }, err.name)
  }
  // Each public detail on its own, and none: inner_error holds exactly the details the error has.
  for (const key of ['node', 'input', 'field'] as const) {
    assert.deepEqual(mapError(new errors.ToolError('failed', { [key]: 'x', file: '/srv/a/b.ts' })).body.error.inner_error, { code: 'TOOL_FAILED', [key]: 'x' }, key)
  }
  assert.deepEqual(mapError(new errors.TimeoutError('late', { file: '/srv/a/b.ts' })).body.error.inner_error, { code: 'TIMEOUT' })
})

test("fastify's request errors keep their 4xx status and code; anything else is a 500 INTERNAL naming what failed, not where", () => {
  const withStatus = (statusCode: unknown, code: string | undefined, message?: string): unknown =>
    Object.assign(message === undefined ? {} : new Error(message), { statusCode, code })
  const user = (status: number, message: string, code: string) => ({ status, body: { error: { code: 'UserError', message, inner_error: { code } } } })
  const internal = (message: string) => ({ status: 500, body: { error: { code: 'SystemError', message, inner_error: { code: 'INTERNAL' } } } })
  const cases: Array<[string, unknown, ReturnType<typeof user> | ReturnType<typeof internal>]> = [
    ['body too large', withStatus(413, 'FST_ERR_CTP_BODY_TOO_LARGE', 'Request body is too large'),
      user(413, 'request body is larger than the limit of 2048 bytes (set with --body-limit)', 'FST_ERR_CTP_BODY_TOO_LARGE')],
    ['bad Content-Length', withStatus(400, 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'Request body size did not match Content-Length'),
      user(400, 'request body size does not match its Content-Length header', 'FST_ERR_CTP_INVALID_CONTENT_LENGTH')],
    ['another fastify error', withStatus(400, 'FST_ERR_BAD_URL', "'/%zz' is not a valid url component"), user(400, "'/%zz' is not a valid url component", 'FST_ERR_BAD_URL')],
    ['a 499 without a code', withStatus(499, undefined, 'client went away'), user(499, 'client went away', 'BAD_REQUEST')],
    ['a 4xx without a message', withStatus(404, 'FST_ERR_NOT_FOUND'), user(404, 'bad request', 'FST_ERR_NOT_FOUND')],
    ['a 5xx from fastify', withStatus(500, 'FST_ERR_X', `failed: ${RAW}`), internal(`internal server error: failed: ${CUT}`)],
    ['a 3xx status', withStatus(399, 'X', 'odd'), internal('internal server error: odd')],
    ['a status that is a string', withStatus('404', 'X', 'odd'), internal('internal server error: odd')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x') at /srv/app/dist/serve/app.js:12:7"),
      internal("internal server error: Cannot read properties of undefined (reading 'x') at app.js:12:7")],
    ['a thrown string', 'it broke', internal('internal server error: it broke')]
  ]
  for (const [name, err, expected] of cases) assert.deepEqual(mapError(err, 2048), expected, name)
})

test('publicMessage: 5xx messages lose URLs, addresses and the folders of absolute paths; other text and 4xx messages stay', () => {
  const cases: Array<[string, string]> = [
    // URLs of any scheme, up to the punctuation that ends a sentence
    ['GET https://api.example.com/v1/chat?x=1 failed', 'GET <address> failed'],
    ['see http://10.1.2.3:8443/v1/models, then retry', 'see <address>, then retry'],
    ['at (http://a.b/c). Or s3+https://bucket.x/k; HTTP://UP.X/A!', 'at (<address>). Or <address>; <address>!'],
    ['ftp://x and "https://h/p?q=1" and mix https://h/a;b!', '<address> and "<address>" and mix <address>!'],
    // IPv4 and bracketed IPv6 addresses, with or without a port; localhost; host:port
    ['connect ECONNREFUSED 127.0.0.1:9, then 10.0.0.5, 192.168.10.20 and 1.2.3.4:5', 'connect ECONNREFUSED <address>, then <address>, <address> and <address>'],
    ['fetch [::1]:8080, [fd00::1] or [::ffff:10.0.0.1]:80', 'fetch <address>, <address> or <address>'],
    // IPv6 without brackets, as Node's connect errors write it (address, then :port)
    ['connect ECONNREFUSED ::1:8080, fd00::7:8443, 2001:db8::1 or ::ffff:10.0.0.1:443', 'connect ECONNREFUSED <address>, <address>, <address> or <address>'],
    ['connect ETIMEDOUT 2001:db8:1:2:3:4:5:6:443', 'connect ETIMEDOUT <address>'],
    ['localhost:3000, LOCALHOST:80 and localhost refused', '<address>, <address> and <address> refused'],
    ['db.internal:5432, redis:6379 and h:12345 refused', '<address>, <address> and <address> refused'],
    // a host or scheme whose run of name characters starts with a dot, a dash, a digit or "_" is taken whole
    ['.internal:80, x-1:8080, -db:5432, _svc:8080 and 1.http://10.0.0.1/x', '<address>, <address>, <address>, <address> and <address>'],
    // a host name alone, where Node's resolver names the one it could not resolve
    ['GET http://llm.internal.corp/v1 failed: getaddrinfo ENOTFOUND llm.internal.corp', 'GET <address> failed: getaddrinfo ENOTFOUND <address>'],
    ['getaddrinfo EAI_AGAIN db (then retry), queryA ETIMEOUT cache.corp; queryAaaa ENODATA x', 'getaddrinfo EAI_AGAIN <address> (then retry), queryA ETIMEOUT <address>; queryAaaa ENODATA <address>'],
    ['ENOTFOUND alone, getaddrinfo failed for a name', 'ENOTFOUND alone, getaddrinfo failed for a name'],
    // absolute paths, POSIX and Windows, become their file name
    ["open '/srv/flows/chat/missing.txt' and `/srv/a/b` or \"/srv/c/d\"", "open 'missing.txt' and `b` or \"d\""],
    ['see /etc/floodgate/secrets.yaml. Or /srv/a/ too', 'see secrets.yaml. Or  too'],
    ['C:\\floodgate\\keys.txt, c:\\Users\\me\\a.txt and D:\\ root', 'keys.txt, a.txt and  root'],
    // source locations are not host:port: a line and a column, or a line in a file no host name ends like
    ['at run (x.js:12:7), at tool.ts:40, flow.dag.yaml:12 and a.mjs:300:12', 'at run (x.js:12:7), at tool.ts:40, flow.dag.yaml:12 and a.mjs:300:12'],
    ['tool.py:12:7, main.go:30:5 and lib.rs:120:13', 'tool.py:12:7, main.go:30:5 and lib.rs:120:13'],
    ['tpl.jinja2:14, x.j2:22, b.json:10, c.yml:99 and d.tsx:120', 'tpl.jinja2:14, x.j2:22, b.json:10, c.yml:99 and d.tsx:120'],
    ['tool.mjs:40, tool.cjs:41, tool.mts:42 and tool.cts:43', 'tool.mjs:40, tool.cjs:41, tool.mts:42 and tool.cts:43'],
    // ... but a host whose name only starts like one, or a line alone in a ".py" file (Paraguay's domain), is
    ['api.json.corp:8080, js.example:443 and shop.py:8443', '<address>, <address> and <address>'],
    // not addresses nor absolute paths: times, ratios, versions, a port of one or six digits, relative paths
    ['at 12:30 the ratio 3:45, retry:1, h:123456, v1.2.3, 1.2.3', 'at 12:30 the ratio 3:45, retry:1, h:123456, v1.2.3, 1.2.3'],
    ['at 12:30:45.123, MAC aa:bb:cc:dd:ee:ff, Feed::add or std::move', 'at 12:30:45.123, MAC aa:bb:cc:dd:ee:ff, Feed::add or std::move'],
    ['pages 1-2:80 and 2.5:100 of 1_000:20', 'pages 1-2:80 and 2.5:100 of 1_000:20'],
    ['/single, a/b/c.txt, ./x/y.txt, x\\y\\z', '/single, a/b/c.txt, ./x/y.txt, x\\y\\z'],
    // Paths that once kept their folders, or all of themselves, from here on. Right after "<"
    // ("</home/app/secret/x.py>" whole); markup around the message, and our own <address>, stay whole
    ['failed at </home/app/secret/x.py>', 'failed at <x.py>'],
    ['see </srv/app/flows/x.py', 'see <x.py'],
    ['<p>open /srv/a/b.txt</p> and <b>/srv/c/d.txt</b>', '<p>open b.txt</p> and <b>d.txt</b>'],
    ['upstream said <html><body>bad gateway</body></html>, <br/> and </div>', 'upstream said <html><body>bad gateway</body></html>, <br/> and </div>'],
    ['GET http://10.0.0.7/v1 failed; connect to <address> refused', 'GET <address> failed; connect to <address> refused'],
    // with a space in a folder name ("/home/alice/my project/tools/fetch.py" told the client
    // "project/tools/fetch.py"). Quoted, as Node's and Python's errors write them: cut up to the closing
    // quote, even with an unclosed quote of another kind inside
    ["ENOENT: no such file or directory, open '/a b/c d/e f.txt'", "ENOENT: no such file or directory, open 'e f.txt'"],
    ['File "/srv/my flows/chat/tool.py", line 3, in run', 'File "tool.py", line 3, in run'],
    ["at `/srv/My Flows, v2.1 (old)/x.py` and \"/srv/it's here/y.py\"", 'at `x.py` and "y.py"'],
    ["'/a b/c.txt' and '/d e/f.txt'", "'c.txt' and 'f.txt'"],
    ["open 'C:\\Program Files (x86)\\My App\\x.py' or \"c:/Users/Al Ice/y.py\"", "open 'x.py' or \"y.py\""],
    // unquoted: a folder of several words, up to the last separator
    ['/home/alice/my project/tools/fetch.py failed', 'fetch.py failed'],
    ['at run (/home/al/my project/x.js:3:9)', 'at run (x.js:3:9)'],
    ["Cannot find module '/srv/my app/a.js' imported from /srv/my app/b.js", "Cannot find module 'a.js' imported from b.js"],
    ['/Users/al/OneDrive - Corp/flows/x.py failed', 'x.py failed'],
    ["open '/a b/c.txt failed", "open 'c.txt failed"],
    ['C:\\Users\\Al Ice\\x.py failed, C:\\Program Files (x86)\\App\\y.py too', 'x.py failed, y.py too'],
    // the words after a file name or a clause's end stay, slashes and all
    ['/srv/a/b.json is not application/json', 'b.json is not application/json'],
    ['/srv/a/b.txt: read/write failed; /srv/c/d, see docs/x.md (or docs/y.md)', 'b.txt: read/write failed; d, see docs/x.md (or docs/y.md)'],
    ['C:\\a\\b.txt is not text/plain', 'b.txt is not text/plain'],
    // quotes that hold no absolute path, or a single name, stay
    ["it's '/single', \"a/b c/d\" or 'x' /single", "it's '/single', \"a/b c/d\" or 'x' /single"],
    // the rule's cost: plain words between a folder and a later slash are taken for a folder's
    ['/srv/flows/chat and/or x', 'or x'],
    // home folders and UNC shares (whole), escaped separators ("C:\\Users\\al\\x.py" kept "\Users\\al\\x.py"),
    // drives with "/" ("C:x.py")
    ['~/flows/secret/x.py failed, ~alice/.config/floodgate/keys.txt and ~/keys.txt', 'x.py failed, keys.txt and keys.txt'],
    ["open '~/my flows/x.py' or `~bob/a b/c.txt`", "open 'x.py' or `c.txt`"],
    ['\\\\fileserver\\flows\\chat\\x.py failed, \\\\10.0.0.5\\share\\y.py too', 'x.py failed, y.py too'],
    ['\\\\?\\C:\\very\\long\\x.py and "\\\\srv01\\my share\\y.py"', 'x.py and "y.py"'],
    // JSON and escaped strings double a backslash and may escape a slash
    ['{"file":"\\/srv\\/app\\/x.py"} and \\/home\\/al\\/my project\\/y.py', '{"file":"x.py"} and y.py'],
    ['C:\\\\Users\\\\al\\\\x.py, \\\\\\\\fileserver\\\\share\\\\y.py and {"file":"C:\\\\Users\\\\al\\\\z.py"}', 'x.py, y.py and {"file":"z.py"}'],
    ['C:/Users/al/x.py and "d:/My Flows/y.py"', 'x.py and "y.py"'],
    // file URLs are URLs
    ['import file:///srv/app/x.py or file:///home/al/my%20project/y.py', 'import <address> or <address>'],
    // not paths: a tilde before a number, escaped line breaks, a regular expression's escapes
    ['~5/10 done, a\\\\nb\\\\nc, expected \\\\d+ or \\d+', '~5/10 done, a\\\\nb\\\\nc, expected \\\\d+ or \\d+']
  ]
  for (const [message, expected] of cases) {
    assert.equal(publicMessage(500, message), expected, message)
    assert.equal(publicMessage(503, message), expected, message)
    assert.equal(publicMessage(499, message), message, message)
  }
})

// publicMessage runs on every 5xx, on text a tool or an upstream wrote. A pattern that backtracks across
// words, folders or labels would take minutes on these (quadratic); each takes milliseconds in one pass.
test('publicMessage: a million characters of paths, spaces, quotes and host names are read in one pass', () => {
  const long = (unit: string): string => unit.repeat(Math.ceil(1_000_000 / unit.length))
  const cases: Array<[string, string]> = [
    // one path of 250,000 folders "a a"
    [long('/a a'), 'a a'],
    [`C:\\${long('a a\\')}x`, 'x'],
    // a folder name of 500,000 words, or of one word, that no separator ends: not a path
    [`/${long('a ')}`, `/${long('a ')}`],
    [`/${long('abcdefghi ')}`, `/${long('abcdefghi ')}`],
    [`/${long('a')}`, `/${long('a')}`],
    [`C:\\${long('a ')}`, long('a ')],
    // a path start at every fourth character, none with a second separator
    [long('/a '), long('/a ')],
    [long('"/a '), long('"/a ')],
    // path starts close together in other spellings: "~" every third character, a UNC share every fifth
    // (each one cut), a run of backslashes
    [long('~a '), long('~a ')],
    [long('\\\\a\\ '), ' '.repeat(200_000)],
    [long('\\'), long('\\')],
    // host names of 500,000 labels with no port or scheme: once tried from every label to the end
    [long('a.'), long('a.')],
    [long('a-'), long('a-')],
    [`${long('a.')}:80 and ${long('a.')}://x`, '<address> and <address>'],
    // a quote that never closes, and one that does at the end
    [`'${long('/a a')}`, "'a a"],
    [`'${long('/a a')}'`, "'a a'"]
  ]
  // What the rules leave is then cut to its first 1,000 characters (the next test); the count of what was
  // cut tells that the rules read the whole message.
  const sent = (text: string): string => text.length <= 1000 ? text : `${text.slice(0, 1000)}... (${text.length - 1000} characters more in the server's log)`
  for (const [message, whole] of cases) {
    const cut = publicMessage(500, message)
    const expected = sent(whole)
    assert.ok(cut === expected, `${message.slice(0, 12)}...: got ${cut.slice(0, 40)}...${cut.slice(-50)}, expected ${expected.slice(0, 40)}...${expected.slice(-50)}`)
  }
})

test("publicMessage: a 5xx message is cut after 1,000 characters, saying how many more the server's log has; a 4xx is not", () => {
  const body = 'x'.repeat(5000)
  assert.equal(publicMessage(500, `upstream said ${body}`), `upstream said ${'x'.repeat(986)}... (4014 characters more in the server's log)`)
  assert.equal(publicMessage(500, 'y'.repeat(1000)), 'y'.repeat(1000))
  assert.equal(publicMessage(500, 'y'.repeat(1001)), `${'y'.repeat(1000)}... (1 characters more in the server's log)`)
  assert.equal(publicMessage(499, body), body)
  // cut after the paths become file names: what is counted is what the client would have read
  assert.equal(publicMessage(500, `/srv/${'a/'.repeat(1000)}x.txt missing`), 'x.txt missing')
  // never between the halves of a surrogate pair: "😀" is two UTF-16 units
  assert.equal(publicMessage(500, `${'y'.repeat(999)}😀z`), `${'y'.repeat(999)}... (3 characters more in the server's log)`)
})

test('envelope: inner_error only when given', () => {
  assert.deepEqual(envelope(400, 'UserError', 'no'), { status: 400, body: { error: { code: 'UserError', message: 'no' } } })
  assert.deepEqual(envelope(503, 'SystemError', 'busy', { code: 'X', node: 'n' }), {
    status: 503, body: { error: { code: 'SystemError', message: 'busy', inner_error: { code: 'X', node: 'n' } } }
  })
})

/** The whole answer the server writes on a connection it then closes. */
function answer(statusLine: string, body: string, retryAfter = false): string {
  return `HTTP/1.1 ${statusLine}\r\ncontent-type: application/json; charset=utf-8\r\n${retryAfter ? 'retry-after: 1\r\n' : ''}` +
    `connection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
}

test('rawErrorResponse: the whole answer, Retry-After only on 503, Content-Length in bytes', () => {
  assert.equal(rawErrorResponse(envelope(503, 'SystemError', 'full', { code: 'TOO_MANY_CONNECTIONS' })),
    answer('503 Service Unavailable', '{"error":{"code":"SystemError","message":"full","inner_error":{"code":"TOO_MANY_CONNECTIONS"}}}', true))
  const accented = rawErrorResponse(envelope(400, 'UserError', 'déjà vu'))
  assert.equal(accented, answer('400 Bad Request', '{"error":{"code":"UserError","message":"déjà vu"}}'))
  assert.match(accented, /\r\ncontent-length: 52\r\n/, 'a body of 50 characters, 52 bytes')
  // A status without a reason phrase keeps the space before the line's end.
  assert.equal(rawErrorResponse(envelope(499, 'SystemError', 'gone')), answer('499 ', '{"error":{"code":"SystemError","message":"gone"}}'))
})

test("clientErrorResponse: what Node's parser refuses, each as its own answer", () => {
  const parserError = (code: string | undefined, reason?: string) => Object.assign(new Error('parse'), { code, reason })
  const user = (message: string, code: string) => JSON.stringify({ error: { code: 'UserError', message, inner_error: { code } } })
  const routes = 'this server answers POST /score, POST /feedback, GET /health, GET /version, GET /swagger.json, GET /metrics'
  const cases: Array<[ReturnType<typeof parserError>, string]> = [
    [parserError('HPE_HEADER_OVERFLOW'), answer('431 Request Header Fields Too Large', user('request headers are larger than the server accepts (16 KiB in all)', 'HEADERS_TOO_LARGE'))],
    [parserError('ERR_HTTP_REQUEST_TIMEOUT'), answer('408 Request Timeout', user('request headers did not arrive within 2.5 s (--header-timeout)', 'HEADER_TIMEOUT'))],
    [parserError('HPE_INVALID_METHOD'), answer('400 Bad Request', user(`unknown HTTP method; ${routes}`, 'BAD_METHOD'))],
    [parserError('HPE_INVALID_HEADER_TOKEN', 'Invalid header token'), answer('400 Bad Request', user('malformed HTTP request (Invalid header token)', 'BAD_REQUEST'))],
    [parserError('HPE_INVALID_CHUNK_SIZE'), answer('400 Bad Request', user('malformed HTTP request (HPE_INVALID_CHUNK_SIZE)', 'BAD_REQUEST'))],
    [parserError(undefined), answer('400 Bad Request', user('malformed HTTP request (parse error)', 'BAD_REQUEST'))]
  ]
  for (const [err, expected] of cases) assert.equal(clientErrorResponse(err, 2.5), expected, err.code)
})
