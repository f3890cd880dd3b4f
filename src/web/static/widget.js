// The Rapport live widget: a headline figure with its unit and the comparison with the previous
// period of the same length, and a labelled chart with tooltips, of one metric or one ROI model,
// kept up to date through GraphQL subscriptions over WebSocket. It follows its container's width
// (ResizeObserver), from 320 px to a wall screen.
// renderWidget(element, { endpoint, token | apiKey, metric | model, window | from/to, community,
//                         interval, theme, label, unit, aggregation }) -> { destroy() }
import uPlot from './vendor/uPlot.esm.js';
import { connect } from './live-client.js';
import { aggregate, comparison, explain, formatBucket, formatDate, formatValue, windowOf, WINDOWS } from './widget-format.js';

export { WINDOWS };

/** Close codes after which reconnecting cannot help. */
const FATAL = new Set([4400, 4401, 4403]);
/** How often a moving window slides forward even without writes. */
const SLIDE_MS = 60_000;
/** How often the previous period's ROI is read again. */
const PREVIOUS_ROI_MS = 300_000;

let stylesLoaded = null;
/** Adds the widget's style sheets once; resolves when they apply (the chart reads its colours from them). */
function addStyles() {
  stylesLoaded ??= Promise.all(
    ['./vendor/uPlot.min.css', './widget.css'].map(
      (file) =>
        new Promise((resolve) => {
          const link = document.createElement('link');
          link.rel = 'stylesheet';
          link.href = new URL(file, import.meta.url).href;
          link.onload = link.onerror = resolve;
          document.head.appendChild(link);
        }),
    ),
  );
  return stylesLoaded;
}

/** The ws(s):// GraphQL endpoint for an http(s):// or ws(s):// one. */
export function socketUrl(endpoint) {
  const url = new URL(endpoint, location.href);
  url.protocol = url.protocol.replace(/^http/, 'ws');
  if (!url.pathname.endsWith('/graphql')) url.pathname = '/graphql';
  return url.href;
}

const DEFINITIONS = `{ metrics { key name unit aggregation } }`;
const SERIES = `query ($key: String!, $from: DateTime!, $to: DateTime!, $interval: Interval!, $community: ID) {
  metricSeries(metricKey: $key, from: $from, to: $to, interval: $interval, communityId: $community) { start value count } }`;
const METRIC_UPDATED = `subscription ($key: String, $community: ID) { metricUpdated(metricKey: $key, communityId: $community) { at value } }`;
const ROI_UPDATED = `subscription ($model: ID, $from: DateTime!, $to: DateTime, $interval: Interval, $community: ID) {
  roiUpdated(modelId: $model, from: $from, to: $to, interval: $interval, communityId: $community) { roi series { start roi } } }`;
const ROI = `query ($model: ID, $from: DateTime!, $to: DateTime!, $community: ID) {
  roi(modelId: $model, from: $from, to: $to, communityId: $community) { roi } }`;

const TEMPLATE = `<div class="rw-head"><div class="rw-title" data-role="title"></div><div class="rw-period" data-role="period"></div></div>
  <div class="rw-figure" aria-hidden="true"><span class="rw-headline" data-role="headline">–</span><span class="rw-unit" data-role="unit"></span></div>
  <div class="rw-compare" data-role="compare" aria-hidden="true"></div>
  <div class="rw-chart" data-role="chart" aria-hidden="true"><div class="rw-tip" data-role="tip" hidden></div></div>
  <div class="rw-caption" data-role="caption" aria-hidden="true"></div>
  <p class="rw-sr" data-role="alt" aria-live="polite"></p>
  <div class="rw-status" data-role="status" role="status">Connecting…</div>`;

/** The widget's colours, from its CSS custom properties (so a page can set them). */
function colours(root) {
  const style = getComputedStyle(root);
  const get = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    accent: get('--rw-accent', '#2563eb'),
    fill: get('--rw-fill', 'rgba(37,99,235,0.12)'),
    muted: get('--rw-muted', '#64748b'),
    grid: get('--rw-grid', '#e2e8f0'),
    font: get('--rapport-font', 'system-ui, sans-serif'),
  };
}

/** Renders a live widget into `root`. */
export function renderWidget(root, options) {
  const styled = addStyles();
  const isRoi = options.model !== undefined && options.model !== null;
  root.classList.add('rapport-widget');
  root.setAttribute('role', 'figure');
  root.dataset.theme = ['light', 'dark', 'auto'].includes(options.theme) ? options.theme : 'light';
  root.innerHTML = TEMPLATE;
  const el = (role) => root.querySelector(`[data-role="${role}"]`);
  const titleId = `rw-${Math.random().toString(36).slice(2)}`;
  el('title').id = titleId;
  root.setAttribute('aria-labelledby', titleId);

  const meta = { label: options.label || (isRoi ? 'ROI' : options.metric), unit: isRoi ? '%' : options.unit || '', aggregation: options.aggregation || 'SUM' };
  const subject = isRoi ? 'this ROI model' : `the metric “${options.metric}”`;
  let win;
  const state = { xs: [], ys: [], current: null, previous: null };
  let plot = null;
  let conn = null;
  let stopped = false;
  let retry = 1000;
  let timers = [];
  const stops = [];

  const status = (text, kind) => {
    el('status').textContent = text;
    root.dataset.state = kind;
  };
  const fail = (problem) => {
    if ([].concat(problem ?? []).some((e) => e && e.closeCode)) return; // the socket closed: onClose explains it
    status(explain(problem, subject), 'error');
  };

  // ---- text: title, headline, comparison, text alternative ----
  function renderText() {
    el('title').textContent = meta.label;
    el('period').textContent = win.words;
    el('headline').textContent = formatValue(state.current, { percent: isRoi });
    el('unit').textContent = isRoi ? '' : meta.unit;
    const previousWords = options.from || options.to ? 'the period before' : `the ${win.words.replace('last', 'previous')}`;
    const compare = comparison(state.current, state.previous, { percent: isRoi, words: previousWords });
    el('compare').textContent = compare.text;
    el('compare').dataset.direction = compare.direction;
    const per = win.interval.toLowerCase();
    el('caption').textContent = isRoi
      ? `The figure is the ROI over the ${win.words}; the chart shows the ROI of each ${per}, in %.`
      : `Chart: ${meta.label} per ${per}${meta.unit ? `, in ${meta.unit}` : ''}.`;
    const figure = formatValue(state.current, { percent: isRoi, unit: isRoi ? '' : meta.unit });
    el('alt').textContent = `${meta.label} over the ${win.words}: ${figure}, ${compare.text.replace(/^[▲▼=] /, compare.direction === 'up' ? 'up ' : compare.direction === 'down' ? 'down ' : '')}.`;
  }

  // ---- chart ----
  function chartSize() {
    const width = Math.max(200, Math.floor(el('chart').clientWidth));
    return { width, height: Math.round(Math.min(420, Math.max(150, width * 0.42))) };
  }

  function axisFont(width) {
    return width < 420 ? 11 : width < 1000 ? 12 : 15;
  }

  function buildPlot() {
    plot?.destroy();
    plot = null;
    const size = chartSize();
    const c = colours(root);
    const px = axisFont(size.width);
    const font = `${px}px ${c.font}`;
    const labelFont = `600 ${px}px ${c.font}`;
    // The y axis title runs along the chart's height: shortened to fit it.
    const fits = Math.floor((size.height - 20) / (px * 0.62));
    const fullName = isRoi ? 'ROI (%)' : meta.unit ? `${meta.label} (${meta.unit})` : meta.label;
    const yName = fullName.length <= fits ? fullName : meta.unit && meta.unit.length <= fits ? meta.unit : `${fullName.slice(0, Math.max(1, fits - 1))}…`;
    const yTick = (v) => (isRoi ? `${formatValue(v)} %` : formatValue(v));
    plot = new uPlot(
      {
        ...size,
        legend: { show: false },
        cursor: { y: false, points: { size: 8, fill: c.accent }, drag: { x: false, y: false } },
        scales: { x: { time: true } },
        // ROI runs below 0 as often as above: no area fill, which would read as a quantity.
        series: [{}, { label: yName, stroke: c.accent, fill: isRoi ? undefined : c.fill, width: 2, spanGaps: true, points: { show: state.xs.length <= 40, size: 5 } }],
        axes: [
          {
            stroke: c.muted, font, labelFont, label: win.interval === 'HOUR' ? 'Time' : 'Date', labelSize: px + 8, labelGap: 2,
            grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1, size: 4 }, space: px * 6, size: px + 12,
            values: (_u, splits) => splits.map((s) => formatDate(s * 1000, win.length)),
          },
          {
            stroke: c.muted, font, labelFont, label: yName, labelSize: px + 8, labelGap: 2,
            grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 }, space: px * 3,
            values: (_u, splits) => splits.map(yTick),
            size: (u, values) => {
              const longest = Math.max(1, ...(values ?? []).map((v) => String(v).length));
              return Math.ceil(longest * px * 0.62) + 14;
            },
          },
        ],
        hooks: { setCursor: [showTip] },
      },
      [state.xs, state.ys],
      el('chart'),
    );
  }

  function draw() {
    if (!plot) return styled.then(() => !stopped && !plot && buildPlot());
    plot.setData([state.xs, state.ys]);
  }

  function showTip(u) {
    const tip = el('tip');
    const i = u.cursor.idx;
    if (i === null || i === undefined || state.xs[i] === undefined) {
      tip.hidden = true;
      return;
    }
    const value = state.ys[i];
    const shown = isRoi ? formatValue(value === null ? null : value / 100, { percent: true }) : formatValue(value, { unit: meta.unit });
    tip.textContent = `${formatBucket(state.xs[i] * 1000, win.interval)}: ${shown}`;
    tip.hidden = false;
    const chart = el('chart');
    const x = u.valToPos(state.xs[i], 'x') + u.over.offsetLeft;
    const left = Math.max(0, Math.min(chart.clientWidth - tip.offsetWidth, x - tip.offsetWidth / 2));
    tip.style.left = `${left}px`;
  }

  let lastWidth = 0;
  const resize = new ResizeObserver(() => {
    const width = Math.floor(el('chart').clientWidth);
    if (!plot || width === lastWidth) return;
    lastWidth = width;
    // Fonts and axis sizes depend on the width: past a step, rebuild; otherwise resize.
    if (axisFont(width) !== axisFont(plot.width)) buildPlot();
    else plot.setSize(chartSize());
  });
  resize.observe(root);
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  const onScheme = () => root.dataset.theme === 'auto' && plot && buildPlot();
  scheme.addEventListener?.('change', onScheme);

  // ---- data ----
  const iso = (ms) => new Date(ms).toISOString();
  const windowNow = () => {
    const now = Date.now();
    return win.to === null && !(options.from || options.to) ? { from: now - win.length, to: now } : { from: win.from, to: win.to ?? now };
  };

  async function describeMetric() {
    if (options.label && options.aggregation) return;
    // A READ API key may read the definitions; a widget token may not, and its snippet carries them.
    const found = await conn.request(DEFINITIONS).then((d) => d.metrics.find((m) => m.key === options.metric), () => null);
    if (!found) return;
    meta.label = options.label || found.name;
    meta.unit = options.unit || found.unit || '';
    meta.aggregation = options.aggregation || found.aggregation;
  }

  async function startMetric() {
    await describeMetric();
    let loading = Promise.resolve();
    let timer = null;
    const load = () => {
      loading = loading.then(async () => {
        const { from, to } = windowNow();
        const vars = { key: options.metric, interval: win.interval, community: options.community || null };
        const [now, before] = await Promise.all([
          conn.request(SERIES, { ...vars, from: iso(from), to: iso(to) }),
          conn.request(SERIES, { ...vars, from: iso(from - (to - from)), to: iso(from) }),
        ]);
        state.current = aggregate(now.metricSeries, meta.aggregation);
        state.previous = aggregate(before.metricSeries, meta.aggregation);
        state.xs = now.metricSeries.map((b) => Date.parse(b.start) / 1000);
        state.ys = now.metricSeries.map((b) => b.value);
        renderText();
        draw();
        root.dataset.loaded = '';
      });
      return loading;
    };
    stops.push(
      conn.subscribe(METRIC_UPDATED, { key: options.metric, community: options.community || null }, {
        next: ({ errors }) => {
          if (errors?.length) return fail(errors);
          clearTimeout(timer);
          timer = setTimeout(() => load().then(() => live(), fail), 100); // one reload for a burst of points
        },
        error: fail,
      }),
    );
    if (win.to === null) timers.push(setInterval(() => load().catch(fail), SLIDE_MS));
    await load();
  }

  async function startRoi() {
    const model = options.model || null;
    const previous = async () => {
      const { from, to } = windowNow();
      const r = await conn.request(ROI, { model, from: iso(from - (to - from)), to: iso(from), community: options.community || null });
      state.previous = r.roi.roi;
      renderText();
    };
    timers.push(setInterval(() => previous().catch(fail), PREVIOUS_ROI_MS));
    const { from } = windowNow();
    await Promise.all([
      previous(),
      new Promise((resolve, reject) => {
        stops.push(
          conn.subscribe(ROI_UPDATED, { model, from: iso(from), to: win.to === null ? null : iso(win.to), interval: win.interval, community: options.community || null }, {
            next: ({ data, errors }) => {
              if (errors?.length) return reject(errors);
              const r = data.roiUpdated;
              state.current = r.roi;
              state.xs = r.series.map((p) => Date.parse(p.start) / 1000);
              state.ys = r.series.map((p) => (p.roi === null ? null : p.roi * 100));
              renderText();
              draw();
              root.dataset.loaded = '';
              live();
              resolve();
            },
            error: reject,
          }),
        );
      }),
    ]);
  }

  function live() {
    status(`Live · updated ${new Date().toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`, 'live');
  }

  function start() {
    if (stopped) return;
    status('Connecting…', 'connecting');
    conn = connect(socketUrl(options.endpoint), options.token || options.apiKey, {
      onClose: (event) => {
        stops.splice(0).forEach((stop) => stop());
        timers.splice(0).forEach(clearInterval);
        if (stopped) return;
        const sentence = explain(event, subject);
        if (FATAL.has(event.code)) return status(sentence ?? explain(null, subject), 'error');
        status(`Cannot reach Rapport right now; trying again in ${Math.round(retry / 1000)} s.`, 'connecting');
        setTimeout(start, retry);
        retry = Math.min(retry * 2, 30_000);
      },
    });
    (isRoi ? startRoi() : startMetric()).then(() => {
      retry = 1000;
      live();
    }, fail);
  }

  try {
    win = windowOf(options);
    if (!options.token && !options.apiKey) throw new Error('This widget needs a token: copy the whole snippet from your Rapport widgets page, data-token included.');
    if (!isRoi && !options.metric) throw new Error('This widget needs data-metric (a metric key) or data-model (an ROI model id).');
  } catch (e) {
    el('title').textContent = meta.label ?? 'Rapport widget';
    status(e.message, 'error');
    return { destroy() { resize.disconnect(); } };
  }
  renderText();
  styled.then(() => !stopped && !plot && buildPlot());
  start();
  return {
    destroy() {
      stopped = true;
      resize.disconnect();
      scheme.removeEventListener?.('change', onScheme);
      timers.splice(0).forEach(clearInterval);
      stops.splice(0).forEach((stop) => stop());
      conn?.close();
      plot?.destroy();
    },
  };
}
