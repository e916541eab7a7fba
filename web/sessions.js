// Tradeflow web UI, the sessions pages: #/sessions lists live and replay sessions and starts a replay from
// an example config; #/session/<id> shows one session (status, cash, equity, strategies, positions, recent
// fills), polled about once a second, with buttons to pause, resume and stop it and each strategy.
// Built with the helpers app.js passes in (`ui`): text goes in through textContent only.
/* global window */

const SESSION_POLL_MS = 1000;
const LIVE = new Set(['queued', 'running', 'paused']);
const EXAMPLES = ['config/examples/intraday-etfs.json', 'config/examples/orcl-sma-cross.json'];

const sessionHref = (id) => `#/session/${encodeURIComponent(id)}`;
const sessionUrl = (id) => `/api/sessions/${encodeURIComponent(id)}`;

/** Renders #/sessions: the start form and the sessions, refreshed while any runs. */
export async function renderSessions(ui) {
  const { h, api, fmt } = ui;
  const tbody = h('tbody', { id: 'sessions-body' });
  const error = h('div', { class: 'error', id: 'session-error' });
  const file = h(
    'select',
    { id: 'session-file', name: 'session' },
    EXAMPLES.map((f) => h('option', { value: f }, f)),
  );
  const speed = h('input', { id: 'session-speed', name: 'speed', type: 'number', min: 1, value: 600000 });
  const form = h(
    'form',
    {
      id: 'session-form',
      onsubmit: async (ev) => {
        ev.preventDefault();
        error.textContent = '';
        const button = form.querySelector('button');
        button.disabled = true;
        try {
          const s = await api('POST', '/api/sessions', {
            mode: 'replay',
            session: file.value,
            speed: Number(speed.value),
          });
          window.location.hash = sessionHref(s.run_id);
        } catch (e) {
          error.textContent = e.message;
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h2', {}, 'Start a replay session'),
    h('label', { for: 'session-file' }, 'Session config'),
    file,
    h('label', { for: 'session-speed' }, 'Speed (bar time per wall time: 60 = a minute a second)'),
    speed,
    h('button', { type: 'submit', id: 'session-start' }, 'Start replay'),
    error,
  );
  const row = (s) =>
    h(
      'tr',
      { 'data-session-id': s.run_id, 'data-status': s.status },
      h('td', {}, h('a', { href: sessionHref(s.run_id), class: 'session-link' }, s.run_id)),
      h('td', {}, s.mode),
      h('td', {}, s.strategy),
      h('td', { class: `status status-${s.status}` }, s.status),
      h('td', { class: 'num' }, fmt(s.snapshot?.equity)),
      h('td', { class: 'num' }, s.snapshot ? String(s.snapshot.fill_count) : ''),
    );
  const load = async () => {
    const page = await api('GET', '/api/sessions?limit=50');
    tbody.replaceChildren(
      ...(page.sessions.length
        ? page.sessions.map(row)
        : [h('tr', {}, h('td', { colspan: 6 }, 'No sessions yet.'))]),
    );
    return page.sessions.some((s) => LIVE.has(s.status));
  };
  ui.view().replaceChildren(
    h('section', {}, form),
    h(
      'section',
      {},
      h('h2', {}, 'Sessions'),
      h(
        'table',
        { id: 'sessions' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Session', 'Mode', 'Name', 'Status', 'Equity', 'Fills'].map((c) => h('th', {}, c)),
          ),
        ),
        tbody,
      ),
    ),
  );
  await load();
  ui.setPoll(load, SESSION_POLL_MS);
}

/** Renders #/session/<id>: built once, its figures refreshed in place by polling while the session runs. */
export async function renderSession(id, ui) {
  const { h, api, fmt } = ui;
  const status = h('span', { id: 'session-status', class: 'status' });
  const title = h('h2', {}, `Session ${id}`);
  const about = h('p', { id: 'session-about', class: 'muted' });
  const figure = (label, fid) => {
    const value = h('div', { class: 'value', id: fid });
    return [h('div', { class: 'item' }, h('div', { class: 'label' }, label), value), value];
  };
  const [cashItem, cash] = figure('Cash', 'session-cash');
  const [equityItem, equity] = figure('Equity', 'session-equity');
  const [fillsItem, fillCount] = figure('Fills', 'session-fill-count');
  const [barItem, lastBar] = figure('Last bar', 'session-last-bar');
  const strategies = h('tbody', {});
  const positions = h('tbody', {});
  const fills = h('tbody', {});
  let current;

  const act = async (ev, path) => {
    ev.target.disabled = true;
    try {
      show(await api('POST', `${sessionUrl(id)}${path}`));
    } catch (e) {
      ui.showError(e.message);
    } finally {
      ev.target.disabled = false;
      if (current) setButtons(current);
    }
  };
  const button = (bid, label, path) =>
    h('button', { type: 'button', id: bid, onclick: (ev) => act(ev, path) }, label);
  const pause = button('session-pause', 'Pause', '/pause');
  const resume = button('session-resume', 'Resume', '/resume');
  const stop = button('session-stop', 'Stop', '/stop');

  const setButtons = (s) => {
    const running = s.status === 'running' || s.status === 'paused';
    pause.disabled = s.status !== 'running';
    resume.disabled = s.status !== 'paused';
    stop.disabled = !running && s.status !== 'queued';
  };
  const table = (tid, heads, body) =>
    h(
      'table',
      { id: tid },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          heads.map((c) => h('th', {}, c)),
        ),
      ),
      body,
    );

  const strategyRow = (m, running) =>
    h(
      'tr',
      { 'data-strategy': m.name, 'data-status': m.status },
      h('td', {}, m.name),
      h('td', { class: `status status-${m.status}` }, m.status),
      h('td', { class: 'num' }, String(m.notifications)),
      h('td', { class: 'num' }, String(m.signals)),
      h('td', { class: 'num' }, String(m.errors)),
      h('td', { class: 'num' }, fmt(m.avg_ms, 3)),
      h(
        'td',
        {},
        running && m.status === 'running'
          ? h(
              'button',
              {
                type: 'button',
                class: 'strategy-pause',
                onclick: (ev) => act(ev, `/strategies/${encodeURIComponent(m.name)}/pause`),
              },
              'Pause',
            )
          : '',
        running && m.status === 'paused'
          ? h(
              'button',
              {
                type: 'button',
                class: 'strategy-resume',
                onclick: (ev) => act(ev, `/strategies/${encodeURIComponent(m.name)}/resume`),
              },
              'Resume',
            )
          : '',
      ),
    );

  function show(s) {
    current = s;
    status.textContent = s.status;
    status.className = `status status-${s.status}`;
    status.setAttribute('data-status', s.status);
    about.textContent = `${s.mode}${s.speed ? ` at ${s.speed}x` : ''}${s.feed ? ` on ${s.feed}` : ''} · ${s.strategy}${s.snapshot?.stale ? ' · (figures not refreshed: the session is busy)' : ''}${s.error ? ` · ${s.error}` : ''}`;
    setButtons(s);
    const snap = s.snapshot;
    if (!snap) return;
    cash.textContent = fmt(snap.cash);
    equity.textContent = fmt(snap.equity);
    fillCount.textContent = String(snap.fill_count);
    lastBar.textContent = snap.last_bar_at ?? '';
    const running = s.status === 'running' || s.status === 'paused';
    strategies.replaceChildren(...snap.strategies.map((m) => strategyRow(m, running)));
    positions.replaceChildren(
      ...snap.accounts.flatMap((a) =>
        a.positions.map((p) =>
          h(
            'tr',
            {},
            h('td', {}, a.name),
            h('td', {}, p.strategy),
            h('td', {}, p.symbol),
            h('td', { class: 'num' }, String(p.quantity)),
            h('td', { class: 'num' }, fmt(p.avg_price, 4)),
            h('td', { class: 'num' }, fmt(p.last_price, 4)),
            h('td', { class: 'num' }, fmt(p.unrealized_pnl)),
          ),
        ),
      ),
    );
    fills.replaceChildren(
      ...[...snap.recent_fills]
        .reverse()
        .map((f) =>
          h(
            'tr',
            { 'data-fill-id': f.id },
            h('td', {}, f.time),
            h('td', {}, f.strategy),
            h('td', {}, f.symbol),
            h('td', {}, f.side),
            h('td', { class: 'num' }, String(f.quantity)),
            h('td', { class: 'num' }, fmt(f.price, 4)),
          ),
        ),
    );
  }

  ui.view().replaceChildren(
    h(
      'section',
      {},
      h('p', {}, h('a', { href: '#/sessions' }, '← Sessions')),
      title,
      h('p', {}, 'Status: ', status),
      about,
      h('div', { class: 'controls' }, pause, resume, stop),
      h('div', { class: 'summary' }, cashItem, equityItem, fillsItem, barItem),
    ),
    h(
      'section',
      {},
      h('h2', {}, 'Strategies'),
      table(
        'session-strategies',
        ['Strategy', 'Status', 'Bars', 'Signals', 'Errors', 'Avg ms', ''],
        strategies,
      ),
    ),
    h(
      'section',
      {},
      h('h2', {}, 'Positions'),
      table(
        'session-positions',
        ['Account', 'Strategy', 'Symbol', 'Quantity', 'Avg price', 'Last', 'Unrealized'],
        positions,
      ),
    ),
    h(
      'section',
      {},
      h('h2', {}, 'Recent fills'),
      table('session-fills', ['Time', 'Strategy', 'Symbol', 'Side', 'Quantity', 'Price'], fills),
    ),
  );
  const refresh = async () => {
    const s = await api('GET', sessionUrl(id));
    show(s);
    return LIVE.has(s.status);
  };
  if (await refresh()) ui.setPoll(refresh, SESSION_POLL_MS);
}
