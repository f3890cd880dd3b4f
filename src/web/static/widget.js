// The Rapport live widget: a headline number and a time-series chart of one metric (or one ROI
// model) over a moving window, kept up to date through a GraphQL subscription.
// renderWidget(element, { endpoint, apiKey, metric | model, window }) -> { destroy() }
import uPlot from './vendor/uPlot.esm.js';
import { connect } from './live-client.js';

const HOUR = 3600_000;
/** Window name -> [length in ms, series interval]. */
export const WINDOWS = { '24h': [24 * HOUR, 'HOUR'], '7d': [7 * 24 * HOUR, 'DAY'], '30d': [30 * 24 * HOUR, 'DAY'] };
/** Close codes after which reconnecting cannot help. */
const FATAL = new Set([4401, 4403, 4400]);

let stylesAdded = false;
function addStyles() {
  if (stylesAdded) return;
  stylesAdded = true;
  for (const file of ['./vendor/uPlot.min.css', './widget.css']) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = new URL(file, import.meta.url).href;
    document.head.appendChild(link);
  }
}

/** The ws(s):// GraphQL endpoint for an http(s):// or ws(s):// one. */
export function socketUrl(endpoint) {
  const url = new URL(endpoint, location.href);
  url.protocol = url.protocol.replace(/^http/, 'ws');
  if (!url.pathname.endsWith('/graphql')) url.pathname = '/graphql';
  return url.href;
}

function format(value, percent) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  const n = percent ? value * 100 : value;
  const text = n.toLocaleString('en-US', { maximumFractionDigits: Math.abs(n) >= 100 ? 0 : 2 });
  return percent ? `${text} %` : text;
}

/** The metric over the whole window, from its buckets and its aggregation. */
function headlineOf(buckets, aggregation) {
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

const METRICS = `{ metrics { key name unit aggregation } }`;
const SERIES = `query ($key: String!, $from: DateTime!, $to: DateTime!, $interval: Interval!) {
  metricSeries(metricKey: $key, from: $from, to: $to, interval: $interval) { start value count } }`;
const METRIC_UPDATED = `subscription ($key: String) { metricUpdated(metricKey: $key) { at value } }`;
const ROI_UPDATED = `subscription ($model: ID, $from: DateTime!, $interval: Interval) {
  roiUpdated(modelId: $model, from: $from, interval: $interval) { roi return investment model { name } series { start roi } } }`;

/** Renders a live widget into `root`. */
export function renderWidget(root, options) {
  addStyles();
  const [span, interval] = WINDOWS[options.window] ?? WINDOWS['7d'];
  root.classList.add('rapport-widget');
  root.innerHTML = `<div class="rw-title" data-role="title"></div>
    <div class="rw-headline" data-role="headline">–</div>
    <div class="rw-chart" data-role="chart"></div>
    <div class="rw-status" data-role="status">connecting…</div>`;
  const el = (role) => root.querySelector(`[data-role="${role}"]`);
  const status = (text, state) => {
    el('status').textContent = text;
    root.dataset.state = state;
  };
  let plot = null;
  let conn = null;
  let stopped = false;
  let retry = 1000;
  const stops = [];

  function draw(xs, ys, label) {
    const data = [xs.map((t) => t / 1000), ys];
    if (plot) return plot.setData(data);
    const width = Math.max(240, el('chart').clientWidth || root.clientWidth || 480);
    plot = new uPlot(
      {
        width,
        height: 180,
        legend: { show: false },
        scales: { x: { time: true } },
        series: [{}, { label, stroke: '#2563eb', fill: 'rgba(37,99,235,0.12)', width: 2, spanGaps: true }],
        axes: [{ stroke: '#64748b' }, { stroke: '#64748b', size: 56 }],
      },
      data,
      el('chart'),
    );
  }

  async function startMetric() {
    const { metrics } = await conn.request(METRICS);
    const metric = metrics.find((m) => m.key === options.metric);
    if (!metric) throw [{ message: `no metric '${options.metric}'` }];
    el('title').textContent = `${metric.name}${metric.unit ? ` (${metric.unit})` : ''} · last ${options.window ?? '7d'}`;
    let timer = null;
    let loading = Promise.resolve();
    const load = () => {
      const to = new Date();
      loading = loading.then(async () => {
        const { metricSeries } = await conn.request(SERIES, { key: metric.key, from: new Date(to - span).toISOString(), to: to.toISOString(), interval });
        el('headline').textContent = format(headlineOf(metricSeries, metric.aggregation), false);
        draw(metricSeries.map((b) => Date.parse(b.start)), metricSeries.map((b) => b.value), metric.name);
      });
      return loading;
    };
    stops.push(
      conn.subscribe(METRIC_UPDATED, { key: metric.key }, {
        next: () => {
          clearTimeout(timer);
          timer = setTimeout(() => load().catch(fail), 100); // one reload for a burst of points
          status(`live · updated ${new Date().toLocaleTimeString()}`, 'live');
        },
        error: fail,
      }),
    );
    await load();
  }

  async function startRoi() {
    await new Promise((resolve, reject) => {
      stops.push(
        conn.subscribe(ROI_UPDATED, { model: options.model || null, from: new Date(Date.now() - span).toISOString(), interval }, {
          next: ({ data, errors }) => {
            if (errors?.length) return reject(errors);
            const r = data.roiUpdated;
            el('title').textContent = `ROI · ${r.model?.name ?? 'default model'} · last ${options.window ?? '7d'}`;
            el('headline').textContent = format(r.roi, true);
            draw(r.series.map((p) => Date.parse(p.start)), r.series.map((p) => (p.roi === null ? null : p.roi * 100)), 'ROI %');
            status(`live · updated ${new Date().toLocaleTimeString()}`, 'live');
            resolve();
          },
          error: reject,
        }),
      );
    });
  }

  function fail(errors) {
    const list = Array.isArray(errors) ? errors : [errors];
    status(list.map((e) => e.message ?? String(e)).join('; '), 'error');
  }

  function start() {
    if (stopped) return;
    status('connecting…', 'connecting');
    conn = connect(socketUrl(options.endpoint), options.apiKey, {
      onClose: (event) => {
        stops.splice(0).forEach((stop) => stop());
        if (stopped) return;
        if (FATAL.has(event.code)) return status(event.code === 4401 ? 'the API key was not accepted' : 'the API key may not read (or was revoked)', 'error');
        status('reconnecting…', 'connecting');
        setTimeout(start, retry);
        retry = Math.min(retry * 2, 30_000);
      },
    });
    (options.model !== undefined ? startRoi() : startMetric()).then(
      () => {
        retry = 1000;
        if (root.dataset.state !== 'live') status('live', 'live');
      },
      fail,
    );
  }

  start();
  return {
    destroy() {
      stopped = true;
      stops.splice(0).forEach((stop) => stop());
      conn?.close();
      plot?.destroy();
    },
  };
}
