// Pure helpers of the widget: windows, numbers, dates and the sentences a page owner reads.
// No DOM here, so that each piece can be checked on its own.

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Window name -> [length in ms, default series interval, words]. */
export const WINDOWS = {
  '24h': [DAY, 'HOUR', '24 hours'],
  '7d': [7 * DAY, 'DAY', '7 days'],
  '30d': [30 * DAY, 'DAY', '30 days'],
  '90d': [90 * DAY, 'WEEK', '90 days'],
  '12m': [365 * DAY, 'MONTH', '12 months'],
};
export const INTERVALS = ['HOUR', 'DAY', 'WEEK', 'MONTH'];
const INTERVAL_MS = { HOUR, DAY, WEEK: 7 * DAY, MONTH: 31 * DAY };
/** Most buckets a chart asks for (the API allows 10,000; a chart needs far fewer). */
const MAX_BUCKETS = 2000;

/**
 * The window a widget shows: { from, to (null: up to now, moving), length, interval, words },
 * from its options; throws a sentence when they do not make sense.
 */
export function windowOf(options, now = Date.now()) {
  let from, to, length, words, interval;
  if (options.from || options.to) {
    from = Date.parse(options.from);
    to = options.to ? Date.parse(options.to) : null;
    if (Number.isNaN(from)) throw new Error(`data-from="${options.from ?? ''}" is not a date: write it like 2026-01-31 or 2026-01-31T09:00:00Z.`);
    if (to !== null && Number.isNaN(to)) throw new Error(`data-to="${options.to}" is not a date: write it like 2026-12-31 or leave it out for "up to now".`);
    length = (to ?? now) - from;
    if (length <= 0) throw new Error('data-from must be before data-to (and before now when data-to is left out).');
    words = `${formatDate(from, length)} – ${to === null ? 'now' : formatDate(to, length)}`;
    interval = length <= 2 * DAY ? 'HOUR' : length <= 120 * DAY ? 'DAY' : length <= 400 * DAY ? 'WEEK' : 'MONTH';
  } else {
    const name = options.window ?? '7d';
    const known = WINDOWS[name];
    if (!known) throw new Error(`data-window="${name}" is not a window this widget knows: use 24h, 7d, 30d, 90d or 12m (or data-from and data-to).`);
    [length, interval] = known;
    words = `last ${known[2]}`;
    from = now - length;
    to = null;
  }
  if (options.interval) {
    interval = String(options.interval).toUpperCase();
    if (!INTERVALS.includes(interval)) throw new Error(`data-interval="${options.interval}" is not an interval: use hour, day, week or month.`);
  }
  if (length / INTERVAL_MS[interval] > MAX_BUCKETS) {
    throw new Error(`data-interval="${options.interval}" makes too many points for this window: choose a longer interval.`);
  }
  return { from, to, length, interval, words };
}

/** A number for people: 1,234 · 12.5 · 1.2M; `percent` shows a ratio (0.25) as 25 %. */
export function formatValue(value, { percent = false, unit = '' } = {}) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  const n = percent ? value * 100 : value;
  const abs = Math.abs(n);
  let text;
  if (abs >= 1e6) text = (n / 1e6).toLocaleString('en-US', { maximumFractionDigits: abs >= 1e8 ? 0 : 1 }) + 'M';
  else text = n.toLocaleString('en-US', { maximumFractionDigits: abs >= 100 ? 0 : abs >= 10 ? 1 : 2 });
  if (percent) return `${text} %`;
  return unit ? `${text} ${unit}` : text;
}

/** A date for axes and tooltips, as precise as the window needs. */
export function formatDate(ms, span) {
  const d = new Date(ms);
  if (span <= 2 * DAY) return d.toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  if (span <= 400 * DAY) return d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: span > 120 * DAY ? 'numeric' : undefined });
  return d.toLocaleDateString('en-US', { month: 'short', year: 'numeric' });
}

/** The period a bucket covers, in words: "Mar 3, 14:00", "Mar 3", "week of Mar 3", "March 2026". */
export function formatBucket(ms, interval) {
  const d = new Date(ms);
  if (interval === 'HOUR') return d.toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  if (interval === 'DAY') return d.toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' });
  if (interval === 'WEEK') return `week of ${d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' })}`;
  return d.toLocaleDateString('en-US', { month: 'long', year: 'numeric' });
}

/** The metric over a whole window, from its buckets and its aggregation. */
export function aggregate(buckets, aggregation = 'SUM') {
  const values = buckets.filter((b) => b.value !== null);
  if (aggregation === 'SUM' || aggregation === 'COUNT') return values.reduce((s, b) => s + b.value, 0);
  if (!values.length) return null;
  if (aggregation === 'AVG') {
    const n = values.reduce((s, b) => s + b.count, 0);
    return n ? values.reduce((s, b) => s + b.value * b.count, 0) / n : null;
  }
  if (aggregation === 'MIN') return Math.min(...values.map((b) => b.value));
  if (aggregation === 'MAX') return Math.max(...values.map((b) => b.value));
  return values[values.length - 1].value; // LAST
}

/**
 * The comparison with the previous period of the same length: { direction: up|down|flat|none, text }.
 * For ROI (`percent`) the change is in percentage points; otherwise in percent of the previous value.
 */
export function comparison(current, previous, { percent = false, words = 'the previous period' } = {}) {
  if (current === null || current === undefined || previous === null || previous === undefined) {
    return { direction: 'none', text: `no figure for ${words} to compare with` };
  }
  const delta = current - previous;
  const direction = delta > 0 ? 'up' : delta < 0 ? 'down' : 'flat';
  const arrow = direction === 'up' ? '▲' : direction === 'down' ? '▼' : '=';
  if (percent) {
    const points = Math.abs(delta * 100).toLocaleString('en-US', { maximumFractionDigits: 1 });
    return { direction, text: direction === 'flat' ? `same as ${words}` : `${arrow} ${points} percentage points vs ${words} (${formatValue(previous, { percent })})` };
  }
  if (previous === 0) return { direction, text: direction === 'flat' ? `same as ${words}` : `${arrow} from 0 in ${words}` };
  const change = Math.abs((delta / Math.abs(previous)) * 100).toLocaleString('en-US', { maximumFractionDigits: 1 });
  return { direction, text: direction === 'flat' ? `same as ${words}` : `${arrow} ${change} % vs ${words} (${formatValue(previous)})` };
}

/**
 * What went wrong, as a sentence a page owner can act on: from a socket close (code, reason) or
 * GraphQL errors. `subject` names what the widget shows ("the metric 'leads'").
 */
export function explain(problem, subject) {
  const fix = 'Make a new snippet on your Rapport widgets page and paste it here.';
  if (problem && typeof problem.code === 'number') {
    const reason = String(problem.reason ?? '');
    if (problem.code === 4401) return `This widget’s token is not valid: it was revoked, has expired or was copied incompletely. ${fix}`;
    if (problem.code === 4403 && /revoked|no longer valid/i.test(reason)) return `This widget’s token was revoked, so the figure is no longer updated. ${fix}`;
    if (problem.code === 4403 && /expired/i.test(reason)) return `This widget’s token has expired. ${fix}`;
    if (problem.code === 4403 && /origin/i.test(reason)) {
      return `This widget’s token may not be used on ${location.origin}: add this site’s address to the token’s allowed origins, or make a new snippet for this site.`;
    }
    if (problem.code === 4403) return `This widget’s token may not read live data. ${fix}`;
    return null;
  }
  const errors = [].concat(problem ?? []);
  const first = errors[0] ?? {};
  const code = first.extensions?.code;
  if (code === 'FORBIDDEN') return `This widget’s token may not read ${subject}: make a new snippet for it on your Rapport widgets page.`;
  if (code === 'UNAUTHENTICATED') return `This widget’s token is not valid: it was revoked, has expired or was copied incompletely. ${fix}`;
  if (code === 'RATE_LIMITED') return 'Too many widgets read with this token right now; the figure will come back by itself in a minute.';
  if (code === 'BAD_USER_INPUT') return `Rapport did not accept this widget’s settings: ${first.message}. Check the data- attributes of the snippet.`;
  if (first instanceof Error || first.message) return first.message.endsWith('.') ? first.message : `${first.message}.`;
  return 'Something went wrong while reading the figure; the widget will try again.';
}
