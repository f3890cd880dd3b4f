// The /widgets page: an ADMIN picks a metric or an ROI model, a window, a theme and the page's
// origin, sees the widget live, and gets a snippet with a widget token made for that page only.
import { renderWidget } from './widget.js';

const $ = (id) => document.getElementById(id);
const endpoint = new URL('/graphql', location.href).href;
const embedUrl = new URL('/widgets/embed.js', location.href).href;

let choices = new Map(); // option value -> { kind, id, name, unit, aggregation }
let preview = null;
let made = null; // { token, what, origin } of the last token made
let lookup = 0;

/** Posts an operation with the page's credential; resolves with data, rejects with a sentence. */
async function gql(query, variables, credential = $('credential').value.trim()) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json().catch(() => ({ errors: [{ message: `the server answered ${res.status}` }] }));
  if (body.errors?.length) {
    const e = body.errors[0];
    const code = e.extensions?.code;
    if (code === 'UNAUTHENTICATED') throw new Error('This credential was not accepted: check that it is complete and not revoked or expired.');
    if (code === 'FORBIDDEN') throw new Error('This credential may not make widget tokens: use an API key with the ADMIN scope or sign in as an owner or admin.');
    throw new Error(e.message.endsWith('.') ? e.message : `${e.message}.`);
  }
  return body.data;
}

function note(text, error = false) {
  $('note').textContent = text;
  $('note').className = error ? 'note error' : 'note';
}

function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Reads the organization's metrics, models and communities with the credential. */
async function loadChoices() {
  const credential = $('credential').value.trim();
  const mine = ++lookup;
  $('what').disabled = true;
  $('make').disabled = true;
  if (!credential) return note('');
  note('Checking the credential…');
  try {
    const data = await gql(`{ metrics { key name unit aggregation builtIn } roiModels { id name isDefault }
      communities(first: 100) { edges { node { id name } } } }`);
    if (mine !== lookup) return;
    choices = new Map();
    const select = $('what');
    const previous = select.value;
    select.innerHTML = '';
    const group = (label, items) => {
      if (!items.length) return;
      const g = document.createElement('optgroup');
      g.label = label;
      for (const item of items) {
        choices.set(item.value, item);
        g.append(new Option(item.text, item.value));
      }
      select.append(g);
    };
    const metric = (m) => ({ value: `metric:${m.key}`, kind: 'metric', id: m.key, name: m.name, unit: m.unit ?? '', aggregation: m.aggregation, text: m.name });
    group('Your metrics', data.metrics.filter((m) => !m.builtIn).map(metric));
    group('Built-in metrics', data.metrics.filter((m) => m.builtIn).map(metric));
    group('ROI models', data.roiModels.map((m) => ({ value: `model:${m.id}`, kind: 'model', id: m.id, name: `ROI · ${m.name}`, text: `ROI · ${m.name}${m.isDefault ? ' (default)' : ''}` })));
    if (choices.has(previous)) select.value = previous;
    const community = $('community');
    community.length = 1;
    for (const { node } of data.communities.edges) community.append(new Option(node.name, node.id));
    select.disabled = false;
    note('');
    update();
  } catch (e) {
    if (mine === lookup) note(e.message, true);
  }
}

/** The page's origin as browsers send it, or an error sentence. */
function pageOrigin() {
  const text = $('origin').value.trim();
  if (!text) return { error: 'Enter the address of the page that will show the widget, such as https://www.example.com.' };
  try {
    const url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `https://${text}`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error();
    return { origin: url.origin };
  } catch {
    return { error: `“${text}” is not a web address: write it like https://www.example.com.` };
  }
}

/** The widget's options from the form. */
function current() {
  const choice = choices.get($('what').value);
  if (!choice) return null;
  return {
    choice,
    attrs: {
      ...(choice.kind === 'model' ? { model: choice.id } : { metric: choice.id }),
      window: $('window').value,
      interval: $('interval').value || undefined,
      community: $('community').value || undefined,
      theme: $('theme').value,
      label: $('label').value.trim() || choice.name,
      ...(choice.kind === 'metric' ? { unit: choice.unit || undefined, aggregation: choice.aggregation } : {}),
    },
  };
}

const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function snippet() {
  const c = current();
  const { origin, error } = pageOrigin();
  $('make').disabled = !c || !!error;
  $('make-note').textContent = c ? error ?? '' : '';
  if (!c) return ($('snippet').textContent = '');
  const fresh = made && made.what === $('what').value && made.origin === origin;
  const attrs = Object.entries({ ...c.attrs, token: fresh ? made.token : 'press “Make the snippet”' })
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `data-${k}="${escape(v)}"`);
  $('snippet').textContent = `<div data-rapport-widget ${attrs.join(' ')}></div>\n<script src="${embedUrl}" async><\/script>`;
  $('copy').disabled = !fresh;
  if (made && !fresh) $('make-note').textContent = error ?? 'The metric, model or page changed: make a new snippet for it.';
}

const refreshPreview = debounce(() => {
  const c = current();
  preview?.destroy();
  preview = null;
  if (!c) return;
  preview = renderWidget($('preview'), { endpoint, apiKey: $('credential').value.trim(), ...c.attrs });
}, 250);

function update() {
  snippet();
  refreshPreview();
}

async function make() {
  const c = current();
  const { origin, error } = pageOrigin();
  if (!c || error) return;
  $('make').disabled = true;
  $('make-note').textContent = 'Making a token…';
  try {
    const input = {
      name: `${c.attrs.label} on ${origin}`.slice(0, 200),
      allowedOrigins: [origin],
      ...(c.choice.kind === 'model' ? { roiModelIds: [c.choice.id] } : { metricKeys: [c.choice.id] }),
    };
    const data = await gql(`mutation ($input: CreateWidgetTokenInput!) { createWidgetToken(input: $input) { token widgetToken { id prefix } } }`, { input });
    made = { token: data.createWidgetToken.token, what: $('what').value, origin };
    snippet();
    $('make-note').textContent = `Token ${data.createWidgetToken.widgetToken.prefix}… made for ${origin}. Copy the snippet now: the token is not shown again.`;
  } catch (e) {
    $('make-note').textContent = e.message;
  } finally {
    $('make').disabled = false;
  }
}

$('credential').addEventListener('input', debounce(loadChoices, 300));
$('credentials').addEventListener('submit', (e) => e.preventDefault());
$('form').addEventListener('submit', (e) => e.preventDefault());
for (const id of ['what', 'window', 'interval', 'community', 'theme', 'label', 'origin']) {
  $(id).addEventListener('input', id === 'label' || id === 'origin' ? debounce(update, 200) : update);
}
$('make').addEventListener('click', make);
$('copy').addEventListener('click', async () => {
  await navigator.clipboard?.writeText($('snippet').textContent).catch(() => {});
  $('make-note').textContent = 'Copied.';
});
$('signin').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const data = await gql(
      `mutation ($input: LogInInput!) { logIn(input: $input) { token } }`,
      { input: { email: $('email').value.trim(), password: $('password').value, organizationSlug: $('org').value.trim() } },
      '',
    );
    $('credential').value = data.logIn.token;
    $('signin-box').open = false;
    loadChoices();
  } catch (err) {
    note(err.message, true);
  }
});
snippet();
