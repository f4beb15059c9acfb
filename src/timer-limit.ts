// The longest delay a Node.js timer holds: 2^31 - 1 ms, about 24.8 days. Node fires a longer one after
// 1 ms (with a TimeoutOverflowWarning), so a run time of 1000h would end at once and a serve --timeout
// of a month would re-arm its deadline timer every millisecond. Every flag, field and call that becomes
// a timer is refused above this limit, with a message naming it.

/** Seconds; whole, so that any value at or under it fits a timer once made milliseconds. */
export const MAX_TIMER_SECONDS = 2_147_483

/** The limit as an error states it. */
export const MAX_TIMER_TEXT = `${MAX_TIMER_SECONDS} s (24.8 days), the longest delay a Node.js timer holds`

/** The same in milliseconds, for options and calls that take milliseconds. */
export const MAX_TIMER_MS = MAX_TIMER_SECONDS * 1000

/** The limit in milliseconds as an error states it. */
export const MAX_TIMER_MS_TEXT = `${MAX_TIMER_MS} (24.8 days, the longest delay a Node.js timer holds)`
