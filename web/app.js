// Tradeflow web UI: plain browser JavaScript, no build step, nothing loaded from the network.
// Every node is built with the DOM API and text goes in through textContent, so nothing the server or a
// user sends is ever parsed as HTML. Routes (in the URL's hash): #/ runs and forms, #/screen/<id>,
// #/backtest/<id>, and the sessions pages of sessions.js: #/sessions, #/session/<id>.
/* global document, window, location, fetch, sessionStorage, URLSearchParams, setTimeout, clearTimeout, CSS */

import { renderSession, renderSessions } from './sessions.js';

const POLL_MS = 500;
const ACTIVE = new Set(['queued', 'running']);
const SVG_NS = 'http://www.w3.org/2000/svg';

const EXAMPLE_BACKTEST = {
  name: 'orcl-sma',
  data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
  strategies: [
    {
      type: 'sma_cross',
      isolation: 'inline',
      config: { symbols: ['ORCL'], fast_period: 10, slow_period: 30, position_size: 100 },
    },
  ],
};

// ---- the token: ?token=... or a prompt after a 401; kept for the tab's session ----

let token = new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem('tradeflow-token');
if (token) sessionStorage.setItem('tradeflow-token', token);

/** Calls the API; answers the parsed JSON, or throws an Error with the server's message and field paths. */
async function api(method, path, body) {
  for (let attempt = 0; ; attempt++) {
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401 && attempt === 0) {
      const given = window.prompt('This server needs an API token:');
      if (given) {
        token = given.trim();
        sessionStorage.setItem('tradeflow-token', token);
        continue;
      }
    }
    const data = await res.json().catch(() => null);
    if (!res.ok) {
      const details = (data?.details ?? []).map((d) => `${d.path}: ${d.message}`).join('\n');
      throw new Error(
        `${res.status} ${data?.code ?? ''} ${data?.error ?? res.statusText}${details ? `\n${details}` : ''}`,
      );
    }
    return data;
  }
}

// ---- DOM helpers ----

/** Builds an element: attrs (on* are listeners), then children (strings become text nodes). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof window.Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof window.Node ? c : document.createTextNode(String(c)));
  return el;
}

const view = () => document.getElementById('view');
const fmt = (n, digits = 2) =>
  typeof n === 'number' && Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '';
const isSession = (r) => r.kind === 'live' || r.kind === 'replay';
const runHref = (r) =>
  `#/${isSession(r) ? 'session' : r.kind === 'backtest' ? 'backtest' : 'screen'}/${encodeURIComponent(r.run_id)}`;
const runBase = (r) =>
  isSession(r)
    ? `/api/sessions/${encodeURIComponent(r.run_id)}`
    : r.kind === 'backtest'
      ? `/api/backtests/${encodeURIComponent(r.run_id)}`
      : `/api/strategies/runs/${encodeURIComponent(r.run_id)}`;

function showError(msg) {
  document.getElementById('status-line').textContent = msg;
}

// ---- polling: one timer for the page; each view says what to poll ----

let pollTimer;
let pollFn;
let pollMs = POLL_MS;
function setPoll(fn, ms = POLL_MS) {
  clearTimeout(pollTimer);
  pollFn = fn;
  pollMs = ms;
  if (fn) schedule();
}
function schedule() {
  const fn = pollFn;
  pollTimer = setTimeout(async () => {
    if (fn !== pollFn) return;
    let again;
    try {
      again = await fn();
    } catch (e) {
      showError(String(e.message ?? e));
      again = true;
    }
    if (again && fn === pollFn) schedule();
  }, pollMs);
}

// ---- #/ : the runs, with live progress, and the two forms ----

function progressBar(percent) {
  const p = Math.max(0, Math.min(100, Number(percent) || 0));
  const fill = h('div', { class: 'fill' });
  fill.style.width = `${p}%`;
  return h(
    'div',
    { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': p },
    fill,
    h('span', { class: 'label' }, `${p.toFixed(p % 1 === 0 ? 0 : 2)} %`),
  );
}

function runRow(r) {
  const active = ACTIVE.has(r.status);
  return h(
    'tr',
    { 'data-run-id': r.run_id, 'data-status': r.status },
    h('td', {}, h('a', { href: runHref(r), class: 'run-link' }, r.run_id)),
    h('td', {}, r.kind),
    h('td', {}, r.strategy),
    h('td', { class: `status status-${r.status}` }, r.status),
    h('td', {}, progressBar(r.percent)),
    h('td', { class: 'num' }, `${r.completed} / ${r.total}`),
    h('td', {}, r.current_ticker ?? ''),
    h(
      'td',
      {},
      active
        ? h(
            'button',
            {
              class: 'cancel',
              type: 'button',
              onclick: async (ev) => {
                ev.target.disabled = true;
                try {
                  const p = await api('POST', `${runBase(r)}/${isSession(r) ? 'stop' : 'cancel'}`);
                  replaceRow({ ...r, ...p });
                } catch (e) {
                  showError(e.message);
                  ev.target.disabled = false;
                }
              },
            },
            'Cancel',
          )
        : '',
    ),
  );
}

let runsById = new Map();
function replaceRow(r) {
  runsById.set(r.run_id, r);
  const old = document.querySelector(`tr[data-run-id="${CSS.escape(r.run_id)}"]`);
  if (old) old.replaceWith(runRow(r));
}

const RUNS_PAGE = 50;

/**
 * Loads the newest runs into the table (`more`: the next page after the rows shown, appended), and says
 * on the "more" button how many are left.
 */
async function loadRuns(tbody, moreButton, more = false) {
  const shown = () => tbody.querySelectorAll('tr[data-run-id]').length;
  const offset = more ? shown() : 0;
  const page = await api('GET', `/api/strategies/runs?limit=${RUNS_PAGE}&offset=${offset}`);
  if (!more) runsById = new Map();
  // A run started meanwhile shifts the pages: skip the ones already shown.
  const fresh = page.runs.filter((r) => !runsById.has(r.run_id));
  for (const r of fresh) runsById.set(r.run_id, r);
  if (more) tbody.append(...fresh.map(runRow));
  else
    tbody.replaceChildren(
      ...(fresh.length ? fresh.map(runRow) : [h('tr', {}, h('td', { colspan: 8 }, 'No runs yet.'))]),
    );
  const left = page.total - shown();
  moreButton.hidden = left <= 0;
  moreButton.textContent = `Show ${Math.min(RUNS_PAGE, left)} more (${shown()} of ${page.total} runs shown)`;
}

/** Polls the progress of every active run; true while some run is still active. */
async function pollActive() {
  const active = [...runsById.values()].filter((r) => ACTIVE.has(r.status));
  await Promise.all(
    active.map(async (r) => {
      const p = await api('GET', `${runBase(r)}/progress`);
      replaceRow({ ...r, ...p });
    }),
  );
  return [...runsById.values()].some((r) => ACTIVE.has(r.status));
}

function parseJsonField(text, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${e.message}`, { cause: e });
  }
}

async function renderHome() {
  const tbody = h('tbody', { id: 'runs-body' });
  const moreRuns = h('button', { type: 'button', id: 'runs-more', hidden: true });
  moreRuns.onclick = async () => {
    moreRuns.disabled = true;
    try {
      await loadRuns(tbody, moreRuns, true);
      setPoll(pollActive);
    } finally {
      moreRuns.disabled = false;
    }
  };
  const screenError = h('div', { class: 'error', id: 'screen-error' });
  const backtestError = h('div', { class: 'error', id: 'backtest-error' });
  const select = h('select', { id: 'screen-strategy', name: 'strategy' });
  const tickers = h('input', { id: 'screen-tickers', name: 'tickers', value: 'ORCL, NVDA, YHOO' });
  const params = h('textarea', { id: 'screen-parameters', rows: 4, value: '{}' });
  const config = h('textarea', {
    id: 'backtest-config',
    rows: 14,
    value: JSON.stringify(EXAMPLE_BACKTEST, null, 2),
  });

  const start = async (ev, errorBox, request) => {
    ev.preventDefault();
    errorBox.textContent = '';
    const button = ev.target.querySelector('button');
    button.disabled = true;
    try {
      const r = await request();
      runsById.set(r.run_id, r);
      tbody.querySelector('tr:not([data-run-id])')?.remove();
      tbody.prepend(runRow(r));
      setPoll(pollActive);
    } catch (e) {
      errorBox.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  };

  const screenForm = h(
    'form',
    {
      id: 'screen-form',
      onsubmit: (ev) =>
        start(ev, screenError, () =>
          api('POST', '/api/strategies/execute', {
            strategy: select.value,
            tickers: tickers.value
              .split(/[\s,]+/)
              .map((t) => t.trim().toUpperCase())
              .filter(Boolean),
            parameters: parseJsonField(params.value, 'parameters'),
            async: true,
          }),
        ),
    },
    h('h2', {}, 'Start a screen'),
    h('label', { for: 'screen-strategy' }, 'Screener'),
    select,
    h('label', { for: 'screen-tickers' }, 'Tickers (comma or space separated)'),
    tickers,
    h('label', { for: 'screen-parameters' }, 'Parameters (JSON)'),
    params,
    h('button', { type: 'submit', id: 'screen-start' }, 'Start screen'),
    screenError,
  );
  const backtestForm = h(
    'form',
    {
      id: 'backtest-form',
      onsubmit: (ev) =>
        start(ev, backtestError, () =>
          api('POST', '/api/backtests', { config: parseJsonField(config.value, 'config'), async: true }),
        ),
    },
    h('h2', {}, 'Start a backtest'),
    h('label', { for: 'backtest-config' }, 'Session config (JSON, data from data/)'),
    config,
    h('button', { type: 'submit', id: 'backtest-start' }, 'Start backtest'),
    backtestError,
  );

  view().replaceChildren(
    h('div', { class: 'forms' }, h('section', {}, screenForm), h('section', {}, backtestForm)),
    h(
      'section',
      {},
      h('h2', {}, 'Runs'),
      h(
        'table',
        { id: 'runs' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Run', 'Kind', 'Strategy', 'Status', 'Progress', 'Done', 'Current', ''].map((c) =>
              h('th', {}, c),
            ),
          ),
        ),
        tbody,
      ),
      moreRuns,
    ),
  );

  const [catalog] = await Promise.all([api('GET', '/api/strategies'), loadRuns(tbody, moreRuns)]);
  select.replaceChildren(
    ...catalog.screeners.map((s) => h('option', { value: s.name, title: s.description }, s.name)),
  );
  setPoll(pollActive);
}

// ---- #/screen/<id> : a screen's results, sortable and filterable ----

const SCREEN_COLUMNS = [
  { key: 'position', label: '#', num: true },
  { key: 'ticker', label: 'Ticker' },
  { key: 'status', label: 'Status' },
  { key: 'passed', label: 'Passed' },
  { key: 'score', label: 'Score', num: true },
  { key: 'classification', label: 'Classification' },
  { key: 'reasons', label: 'Reasons' },
];

function cellText(row, key) {
  const v = row[key];
  if (key === 'reasons')
    return Array.isArray(v) ? v.join('; ') : row.error ? `${row.error.code}: ${row.error.message}` : '';
  if (key === 'passed') return v ? 'yes' : 'no';
  if (key === 'score') return typeof v === 'number' ? fmt(v, 1) : '';
  return v === undefined || v === null ? '' : String(v);
}

function compare(a, b, key, num) {
  const x = a[key];
  const y = b[key];
  if (num || typeof x === 'number' || typeof y === 'number') {
    const nx = typeof x === 'number' ? x : -Infinity;
    const ny = typeof y === 'number' ? y : -Infinity;
    return nx - ny;
  }
  return cellText(a, key).localeCompare(cellText(b, key));
}

async function renderScreen(id) {
  const run = await api('GET', `/api/strategies/runs/${encodeURIComponent(id)}`);
  const rows = run.results ?? [];
  let sort = { key: 'position', dir: 1 };
  const filter = h('input', { id: 'results-filter', type: 'search', placeholder: 'Filter rows…' });
  const count = h('span', { id: 'results-count' });
  const thead = h('thead');
  const tbody = h('tbody');

  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = rows
      .filter((r) => !q || SCREEN_COLUMNS.some((c) => cellText(r, c.key).toLowerCase().includes(q)))
      .sort(
        (a, b) => sort.dir * compare(a, b, sort.key, SCREEN_COLUMNS.find((c) => c.key === sort.key)?.num),
      );
    thead.replaceChildren(
      h(
        'tr',
        {},
        SCREEN_COLUMNS.map((c) =>
          h(
            'th',
            {
              class: 'sortable',
              'data-key': c.key,
              'aria-sort': sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none',
              onclick: () => {
                sort = { key: c.key, dir: sort.key === c.key ? -sort.dir : 1 };
                draw();
              },
            },
            c.label,
          ),
        ),
      ),
    );
    tbody.replaceChildren(
      ...shown.map((r) =>
        h(
          'tr',
          { 'data-ticker': r.ticker },
          SCREEN_COLUMNS.map((c) =>
            h(
              'td',
              {
                class:
                  [c.num ? 'num' : '', c.key === 'passed' && r.passed ? 'pass' : ''].join(' ').trim() ||
                  undefined,
              },
              cellText(r, c.key),
            ),
          ),
        ),
      ),
    );
    count.textContent = `${shown.length} of ${rows.length} tickers`;
  };
  filter.addEventListener('input', draw);

  view().replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← Runs')),
    h(
      'section',
      {},
      h('h2', {}, `Screen ${run.run_id}`),
      h(
        'div',
        { class: 'summary' },
        summaryItem('Status', run.status, `status-${run.status}`),
        summaryItem('Screener', run.strategy),
        summaryItem('Tickers', `${run.completed} / ${run.total}`),
        summaryItem('Passed', run.passed),
        summaryItem('Errors', run.errors),
        summaryItem('Elapsed', `${fmt(run.elapsed_ms / 1000, 2)} s`),
      ),
    ),
    h(
      'section',
      {},
      h('div', { class: 'toolbar' }, filter, count),
      h('table', { id: 'results' }, thead, tbody),
    ),
  );
  draw();
  setPoll(ACTIVE.has(run.status) ? async () => (route(), false) : undefined);
}

function summaryItem(label, value, cls) {
  return h('div', {}, label, h('b', { class: cls }, value));
}

// ---- #/backtest/<id> : final value, equity and drawdown charts, trades ----

/** Draws a line (or an area down to zero for the drawdown) of `values` over their index. */
function chart(values, times, { id, cls, area, format }) {
  const W = 1000;
  const H = 220;
  const pad = { l: 70, r: 10, t: 10, b: 24 };
  const el = svg('svg', {
    class: 'chart',
    id,
    viewBox: `0 0 ${W} ${H}`,
    preserveAspectRatio: 'none',
    role: 'img',
  });
  if (values.length < 2) {
    el.append(svg('text', { x: pad.l, y: H / 2 }, 'not enough points'));
    return el;
  }
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (area) hi = Math.max(hi, 0);
  if (hi === lo) hi = lo + 1;
  const x = (i) => pad.l + (i / (values.length - 1)) * (W - pad.l - pad.r);
  const y = (v) => pad.t + (1 - (v - lo) / (hi - lo)) * (H - pad.t - pad.b);
  // At most ~2,000 points: each bucket keeps its extremes, so no peak or trough is lost.
  const step = Math.max(1, Math.floor(values.length / 1000));
  const pts = [];
  for (let i = 0; i < values.length; i += step) {
    let iMin = i;
    let iMax = i;
    for (let j = i; j < Math.min(values.length, i + step); j++) {
      if (values[j] < values[iMin]) iMin = j;
      if (values[j] > values[iMax]) iMax = j;
    }
    for (const k of iMin < iMax ? [iMin, iMax] : [iMax, iMin])
      pts.push(`${x(k).toFixed(1)},${y(values[k]).toFixed(1)}`);
  }
  if (area) {
    pts.unshift(`${x(0).toFixed(1)},${y(0).toFixed(1)}`);
    pts.push(`${x(values.length - 1).toFixed(1)},${y(0).toFixed(1)}`);
  }
  el.append(
    svg('line', { class: 'axis', x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b }),
    svg('text', { x: 4, y: pad.t + 10 }, format(hi)),
    svg('text', { x: 4, y: H - pad.b }, format(lo)),
    svg('text', { x: pad.l, y: H - 6 }, String(times[0] ?? '').slice(0, 10)),
    svg('text', { x: W - pad.r - 70, y: H - 6 }, String(times[times.length - 1] ?? '').slice(0, 10)),
    svg(area ? 'polygon' : 'polyline', { class: cls, points: pts.join(' ') }),
  );
  return el;
}

async function renderBacktest(id) {
  const run = await api('GET', `/api/backtests/${encodeURIComponent(id)}`);
  const result = run.result;
  const parts = [
    h('p', {}, h('a', { href: '#/' }, '← Runs')),
    h(
      'section',
      {},
      h('h2', {}, `Backtest ${run.run_id}`),
      h(
        'div',
        { class: 'summary' },
        summaryItem('Status', run.status, `status-${run.status}`),
        summaryItem('Session', run.strategy),
        summaryItem('Bars', `${run.completed} / ${run.total}`),
        result ? summaryItem('Initial cash', fmt(result.initial_cash)) : '',
        result ? h('div', {}, 'Final value', h('b', { id: 'final-value' }, fmt(result.final_value))) : '',
        result?.stats?.max_drawdown !== undefined
          ? summaryItem('Max drawdown', `${fmt(result.stats.max_drawdown * 100)} %`)
          : '',
        result ? summaryItem('Trades', result.trades.length) : '',
      ),
      run.error ? h('p', { class: 'error' }, run.error) : '',
    ),
  ];
  if (result) {
    const equity = (result.equity ?? []).map((p) => p.equity);
    const times = (result.equity ?? []).map((p) => p.time);
    let peak = -Infinity;
    const drawdown = equity.map((v) => {
      peak = Math.max(peak, v);
      return peak > 0 ? (v / peak - 1) * 100 : 0;
    });
    parts.push(
      h(
        'section',
        {},
        h('h2', {}, 'Equity'),
        chart(equity, times, { id: 'equity-chart', cls: 'equity', format: (v) => fmt(v, 0) }),
      ),
      h(
        'section',
        {},
        h('h2', {}, 'Drawdown'),
        chart(drawdown, times, {
          id: 'drawdown-chart',
          cls: 'drawdown',
          area: true,
          format: (v) => `${fmt(v, 1)} %`,
        }),
      ),
      h(
        'section',
        {},
        h('h2', {}, `Trades (${result.trades.length})`),
        h(
          'table',
          { id: 'trades' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [
                'Strategy',
                'Symbol',
                'Side',
                'Qty',
                'Entry',
                'Entry price',
                'Exit',
                'Exit price',
                'P&L',
                'Bars',
              ].map((c) => h('th', {}, c)),
            ),
          ),
          h(
            'tbody',
            {},
            result.trades
              .slice(0, 5000)
              .map((t) =>
                h(
                  'tr',
                  {},
                  h('td', {}, t.strategy),
                  h('td', {}, t.symbol),
                  h('td', {}, t.direction),
                  h('td', { class: 'num' }, t.quantity),
                  h('td', {}, String(t.entry_time).slice(0, 10)),
                  h('td', { class: 'num' }, fmt(t.entry_price, 4)),
                  h('td', {}, String(t.exit_time).slice(0, 10)),
                  h('td', { class: 'num' }, fmt(t.exit_price, 4)),
                  h('td', { class: `num ${t.pnl >= 0 ? 'pass' : 'status-failed'}` }, fmt(t.pnl)),
                  h('td', { class: 'num' }, t.bars),
                ),
              ),
          ),
        ),
      ),
    );
  }
  view().replaceChildren(...parts);
  setPoll(ACTIVE.has(run.status) ? async () => (route(), false) : undefined);
}

// ---- routing ----

/** What the sessions pages (sessions.js) build with. */
const SESSION_UI = { h, api, fmt, setPoll, showError, view: () => view() };

async function route() {
  showError('');
  const [, page, id] = location.hash.split('/');
  try {
    if (page === 'screen' && id) await renderScreen(decodeURIComponent(id));
    else if (page === 'backtest' && id) await renderBacktest(decodeURIComponent(id));
    else if (page === 'sessions') await renderSessions(SESSION_UI);
    else if (page === 'session' && id) await renderSession(decodeURIComponent(id), SESSION_UI);
    else await renderHome();
  } catch (e) {
    setPoll(undefined);
    showError(String(e.message ?? e));
  }
}

window.addEventListener('hashchange', route);
void route();
