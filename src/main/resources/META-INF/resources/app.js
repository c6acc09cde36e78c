// Flotilla rollout dashboard: plain DOM, no framework. Every string that comes from the API is inserted as text
// (textContent or text nodes), never as HTML.
'use strict';

(function () {
  const API = '/api/v1';
  const TOKEN_KEY = 'flotilla.token';
  const FAST_MS = 2000;   // while a rollout (or a maintenance run) is under way
  const SLOW_MS = 10000;  // otherwise
  const ACTIVE_ROLLOUT = new Set(['pending', 'running', 'paused']);
  const ACTIVE_RUN = new Set(['pending', 'running']);
  const DONE_TARGETS = ['succeeded', 'failed', 'skipped', 'cancelled'];
  const PLAN_ROWS = 50;

  const state = {
    selected: null,      // id of the rollout shown in the detail panel
    active: false,       // a rollout or run is under way: poll fast
    timer: null,
    inFlight: false,
    again: false,        // a refresh was asked for while one was running
    started: false,
  };

  // ---------------------------------------------------------------- DOM helpers

  const $ = (id) => document.getElementById(id);

  /** Builds an element; children are nodes or strings (as text). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  /** Sets text only when it changed, so polling does not touch (or repaint) what stayed the same. */
  function text(el, value) {
    const s = value === null || value === undefined ? '' : String(value);
    if (el.textContent !== s) el.textContent = s;
  }

  function attr(el, name, value) {
    const s = String(value);
    if (el.getAttribute(name) !== s) el.setAttribute(name, s);
  }

  function show(el, visible) {
    if (el.hidden === visible) el.hidden = !visible;
  }

  function badge(el, status) {
    const s = status || 'unknown';
    text(el, s);
    const cls = 'badge s-' + s;
    if (el.className !== cls) el.className = cls;
  }

  /**
   * Makes container's children match items, keyed: existing nodes are updated in place and only moved when the
   * order changed, so a poll does not rebuild the table (no flicker, selection and focus survive).
   */
  function sync(container, items, key, create, update) {
    const existing = new Map();
    for (const el of Array.from(container.children)) existing.set(el.dataset.key, el);
    let prev = null;
    for (const item of items) {
      const k = String(key(item));
      let el = existing.get(k);
      if (el) existing.delete(k);
      else {
        el = create(item);
        el.dataset.key = k;
      }
      update(el, item);
      const want = prev ? prev.nextSibling : container.firstChild;
      if (want !== el) container.insertBefore(el, want);
      prev = el;
    }
    for (const el of existing.values()) el.remove();
  }

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  /** Local time: HH:MM:SS today, else YYYY-MM-DD HH:MM. */
  function when(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    if (isNaN(d)) return String(iso);
    const now = new Date();
    const time = pad(d.getHours()) + ':' + pad(d.getMinutes());
    if (d.toDateString() === now.toDateString()) return time + ':' + pad(d.getSeconds());
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + time;
  }

  function duration(fromIso, toIso) {
    if (!fromIso || !toIso) return '';
    const ms = new Date(toIso) - new Date(fromIso);
    if (!(ms >= 0)) return '';
    if (ms < 10000) return (ms / 1000).toFixed(1) + ' s';
    if (ms < 120000) return Math.round(ms / 1000) + ' s';
    if (ms < 7200000) return Math.round(ms / 60000) + ' min';
    return (ms / 3600000).toFixed(1) + ' h';
  }

  function shortId(id) {
    return id ? String(id).slice(0, 8) : '';
  }

  // ---------------------------------------------------------------- messages

  let messageTimer = null;

  /** kind: ok | error | warn. Success notes fade after a while; errors stay until dismissed or replaced. */
  function message(msg, kind) {
    const box = $('message');
    text($('message-text'), msg);
    box.className = 'message ' + (kind || 'ok');
    box.hidden = false;
    clearTimeout(messageTimer);
    if (kind === 'ok') messageTimer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  function clearMessage() {
    clearTimeout(messageTimer);
    $('message').hidden = true;
  }

  function sectionError(section, msg) {
    const el = document.querySelector('[data-testid="' + section + '-error"]');
    if (!el) return;
    text(el, msg || '');
    show(el, !!msg);
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, detail, problem) {
      super(detail);
      this.status = status;
      this.problem = problem;
    }
  }

  let memoryToken = '';  // used when session storage is not available

  function token() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || memoryToken;
    } catch (e) {
      return memoryToken;
    }
  }

  /** Calls the API with the bearer token; a non-2xx answer becomes an ApiError carrying the problem's detail. */
  async function api(method, path, body) {
    const headers = { 'Accept': 'application/json', 'Authorization': 'Bearer ' + token() };
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(API + path, init);
    } catch (e) {
      throw new ApiError(0, 'The service cannot be reached (' + e.message + ')', null);
    }
    const type = response.headers.get('Content-Type') || '';
    let payload = null;
    if (type.includes('json')) {
      try {
        payload = await response.json();
      } catch (e) {
        payload = null;
      }
    }
    if (!response.ok) {
      const detail = payload && (payload.detail || payload.title)
        ? String(payload.detail || payload.title) : 'HTTP ' + response.status;
      throw new ApiError(response.status, detail, payload);
    }
    return payload;
  }

  /** What to tell the user about a failed call; a 401 sends them back to the token form. */
  function explain(error, what) {
    if (error instanceof ApiError && error.status === 401) {
      askForToken('The API refused this token (401 Unauthorized): ' + error.message
        + '. Paste a valid token to continue.');
      return null;
    }
    if (error instanceof ApiError && error.status === 403) {
      return 'Your role cannot ' + what + ' (403 Forbidden): ' + error.message;
    }
    return (error instanceof ApiError && error.status ? error.status + ': ' : '') + error.message;
  }

  // ---------------------------------------------------------------- token

  function askForToken(reason) {
    stopPolling();
    memoryToken = '';
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      // storage unavailable: nothing to forget
    }
    show($('dashboard'), false);
    show($('token-forget'), false);
    show($('login'), true);
    text($('refresh-status'), '');
    const r = $('login-reason');
    text(r, reason || '');
    show(r, !!reason);
    $('token-input').value = '';
    $('token-input').focus();
  }

  function useToken(value) {
    memoryToken = value;
    try {
      sessionStorage.setItem(TOKEN_KEY, value);
    } catch (e) {
      message('This browser does not allow session storage; the token is kept until the page is reloaded.', 'warn');
    }
    show($('login'), false);
    show($('dashboard'), true);
    show($('token-forget'), true);
    clearMessage();
    loadCatalog();
    refreshNow();
  }

  // ---------------------------------------------------------------- fleet

  function renderFleet(f) {
    text($('fleet-total'), f.companies);
    text($('fleet-up-to-date'), f.upToDate);
    text($('fleet-pending'), f.pending);
    text($('fleet-failed'), f.failed);
    text($('fleet-drifted'), f.drifted);
    text($('fleet-latest'), f.latestVersion || 'none');
    const versions = (f.versions || []).slice();
    const max = Math.max(1, ...versions.map((v) => v.companies));
    sync($('fleet-versions'), versions, (v) => v.version || '(none)', (v) => {
      return h('li', { 'data-testid': 'fleet-version' },
        h('span', { class: 'bar-label' }),
        h('span', { class: 'bar-track' }, h('span', { class: 'bar-fill' })),
        h('span', { class: 'bar-count' }));
    }, (li, v) => {
      const label = v.version === null || v.version === undefined ? 'none applied' : 'v' + v.version;
      attr(li, 'data-version', v.version || '');
      text(li.querySelector('.bar-label'), label);
      text(li.querySelector('.bar-count'), v.companies);
      const fill = li.querySelector('.bar-fill');
      const width = Math.max(2, Math.round(100 * v.companies / max)) + '%';
      if (fill.style.width !== width) fill.style.width = width;
      const latest = f.latestVersion && v.version === f.latestVersion;
      fill.classList.toggle('latest', !!latest);
    });
    show($('fleet-versions-empty'), versions.length === 0);
  }

  async function loadFleet() {
    try {
      renderFleet(await api('GET', '/fleet'));
      sectionError('fleet', null);
    } catch (e) {
      const m = explain(e, 'see the fleet');
      if (m) sectionError('fleet', 'Could not load the fleet: ' + m);
      else throw e;
    }
  }

  // ---------------------------------------------------------------- rollouts

  /** Segments of a progress bar: succeeded, failed, skipped, cancelled, running out of totalTargets. */
  function renderProgress(container, r) {
    const t = r.targets || {};
    const total = r.totalTargets || 0;
    if (!container.firstChild) {
      for (const s of ['succeeded', 'failed', 'skipped', 'cancelled', 'running']) {
        container.append(h('span', { class: 'seg seg-' + s, dataset: { seg: s } }));
      }
    }
    for (const seg of Array.from(container.children)) {
      const n = t[seg.dataset.seg] || 0;
      const width = total > 0 ? (100 * n / total).toFixed(2) + '%' : '0%';
      if (seg.style.width !== width) seg.style.width = width;
      attr(seg, 'title', seg.dataset.seg + ': ' + n);
    }
  }

  function doneCount(r) {
    const t = r.targets || {};
    return DONE_TARGETS.reduce((n, s) => n + (t[s] || 0), 0);
  }

  /** Current wave / waves (wave 1 is the canary when the rollout has one). */
  function waveText(r) {
    if (!r.waves) return '–';
    const canary = r.strategy && r.strategy.canary > 0;
    const n = Math.min(Math.max(r.currentWave, 0) + 1, r.waves);
    return n + ' / ' + r.waves + (canary && r.currentWave === 0 && ACTIVE_ROLLOUT.has(r.state) ? ' (canary)' : '');
  }

  function targetText(r) {
    return (r.direction === 'down' ? '↓ down to ' : '↑ up to ') + (r.targetVersion ? 'v' + r.targetVersion : 'latest');
  }

  function renderRollouts(list) {
    sync($('rollout-rows'), list, (r) => r.id, (r) => {
      const row = h('tr', {
        'data-testid': 'rollout-row', class: 'clickable', tabindex: '0',
        onclick: () => select(r.id),
        onkeydown: (ev) => { if (ev.key === 'Enter') select(r.id); },
      },
      h('td', {}, h('span', { class: 'badge', 'data-testid': 'rollout-state' })),
      h('td', {}, h('div', { class: 'rollout-target', 'data-testid': 'rollout-target' }),
        h('div', { class: 'mono muted small', 'data-testid': 'rollout-id' })),
      h('td', { class: 'col-progress' }, h('div', { class: 'progress' }),
        h('div', { class: 'small muted', 'data-testid': 'rollout-progress' })),
      h('td', { 'data-testid': 'rollout-wave' }),
      h('td', { class: 'small', 'data-testid': 'rollout-started' }),
      h('td', { class: 'small', 'data-testid': 'rollout-finished' }));
      return row;
    }, (row, r) => {
      attr(row, 'data-state', r.state);
      attr(row, 'data-rollout-id', r.id);
      row.classList.toggle('selected', r.id === state.selected);
      const cells = row.children;
      badge(cells[0].firstChild, r.state);
      text(cells[1].children[0], targetText(r));
      text(cells[1].children[1], shortId(r.id));
      attr(cells[1].children[1], 'title', r.id);
      renderProgress(cells[2].children[0], r);
      const t = r.targets || {};
      let p = doneCount(r) + ' / ' + (r.totalTargets || 0);
      if (t.failed) p += ' · ' + t.failed + ' failed';
      if (t.running) p += ' · ' + t.running + ' running';
      text(cells[2].children[1], p);
      text(cells[3], waveText(r));
      text(cells[4], when(r.startedAt || r.createdAt));
      const took = duration(r.startedAt || r.createdAt, r.finishedAt);
      text(cells[5], r.finishedAt ? when(r.finishedAt) + (took ? ' (' + took + ')' : '') : '–');
    });
    show($('rollouts-empty'), list.length === 0);
    const running = list.filter((r) => ACTIVE_ROLLOUT.has(r.state)).length;
    text($('rollouts-note'), running ? '(' + running + ' under way, live)' : '');
  }

  async function loadRollouts() {
    try {
      const list = await api('GET', '/rollouts?limit=20');
      renderRollouts(list);
      sectionError('rollouts', null);
      if (!state.selected && list.length) {
        select(list[0].id, true);
        await loadDetail();
      }
      return list.some((r) => ACTIVE_ROLLOUT.has(r.state));
    } catch (e) {
      const m = explain(e, 'list rollouts');
      if (m) sectionError('rollouts', 'Could not load the rollouts: ' + m);
      else throw e;
      return false;
    }
  }

  /** Status → count as coloured chips; "none" when every count is zero. */
  function chips(container, counts) {
    let entries = Object.entries(counts || {}).filter(([, n]) => n > 0);
    if (entries.length === 0) entries = [['', 0]];
    sync(container, entries, ([k]) => k, () => h('span', { class: 'chip' }), (el, [k, n]) => {
      const cls = k ? 'chip s-' + k : 'chip none';
      if (el.className !== cls) el.className = cls;
      text(el, k ? k + ' ' + n : 'none');
    });
  }

  function renderDetail(r) {
    show($('detail-empty'), false);
    show($('detail-body'), true);
    text($('detail-id'), shortId(r.id));
    attr($('detail-id'), 'title', r.id);
    attr($('detail'), 'data-rollout-id', r.id);
    attr($('detail'), 'data-state', r.state);
    badge($('detail-state'), r.state);
    text($('detail-title'), targetText(r));
    renderProgress($('detail-progress'), r);
    const s = r.strategy || {};
    text($('detail-strategy'), 'canary ' + (s.canary || 0) + ' · batch ' + (s.batchSize || 'all') + ' · parallel '
      + s.maxParallel + ' · max failures ' + s.maxFailures + (r.allowDrift ? ' · drift allowed' : ''));
    text($('detail-wave'), waveText(r));
    chips($('detail-targets'), r.targets);
    chips($('detail-steps'), r.steps);
    text($('detail-owner'), r.owner ? r.owner + (r.heartbeatAt ? ' (heartbeat ' + when(r.heartbeatAt) + ')' : '') : '–');
    text($('detail-created'), when(r.createdAt));
    text($('detail-started'), when(r.startedAt));
    const took = duration(r.startedAt || r.createdAt, r.finishedAt);
    text($('detail-finished'), r.finishedAt ? when(r.finishedAt) + (took ? ' · took ' + took : '') : '–');
    const err = $('detail-rollout-error');
    text(err, r.error || '');
    show(err, !!r.error);

    const failures = r.failures || [];
    text($('detail-failures-count'), failures.length ? '(' + failures.length + ')' : '');
    show($('detail-failures-empty'), failures.length === 0);
    show($('detail-failures-table'), failures.length > 0);
    sync($('detail-failures'), failures, (f) => f.companyId + '/' + f.version, () => h('tr', { 'data-testid': 'failure-row' },
      h('td', { class: 'mono' }), h('td', {}), h('td', { class: 'mono' }), h('td', { class: 'error-text' })),
    (row, f) => {
      attr(row, 'data-schema', f.schemaName || '');
      text(row.children[0], f.schemaName);
      text(row.children[1], f.version ? 'v' + f.version : '–');
      text(row.children[2], f.sqlState || '–');
      text(row.children[3], f.error || '');
    });

    const active = ACTIVE_ROLLOUT.has(r.state);
    $('rollout-pause').disabled = !(r.state === 'pending' || r.state === 'running');
    $('rollout-resume').disabled = r.state !== 'paused';
    $('rollout-cancel').disabled = !active;
  }

  async function loadDetail() {
    const id = state.selected;
    if (!id) return;
    try {
      const r = await api('GET', '/rollouts/' + encodeURIComponent(id));
      if (state.selected === id) renderDetail(r);
      sectionError('detail', null);
    } catch (e) {
      const m = explain(e, 'see this rollout');
      if (m) sectionError('detail', 'Could not load rollout ' + shortId(id) + ': ' + m);
      else throw e;
    }
  }

  function select(id, quiet) {
    state.selected = id;
    for (const row of $('rollout-rows').children) row.classList.toggle('selected', row.dataset.key === id);
    if (!quiet) loadDetail().catch(() => {});
  }

  async function steer(action) {
    const id = state.selected;
    if (!id) return;
    if (action === 'cancel' && !window.confirm('Cancel rollout ' + shortId(id)
      + '? Schemas in flight finish; the rest stay pending for a later rollout.')) return;
    const buttons = document.querySelectorAll('#detail .actions button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const r = await api('POST', '/rollouts/' + encodeURIComponent(id) + '/' + action);
      message('Rollout ' + shortId(id) + ': ' + action + ' requested, now ' + r.state + '.', 'ok');
      if (state.selected === id) renderDetail(r);
    } catch (e) {
      const m = explain(e, action + ' a rollout');
      if (m) message('Could not ' + action + ' rollout ' + shortId(id) + ': ' + m, 'error');
    }
    refreshNow();
  }

  // ---------------------------------------------------------------- start form and dry-run plan

  /** Reads a whole non-negative number from a field; '' is "not given". Throws a message for anything else. */
  function integerField(id, label) {
    const raw = $(id).value.trim();
    if (raw === '') return undefined;
    if (!/^\d+$/.test(raw)) throw new Error(label + ' must be a whole number, not "' + raw + '"');
    return parseInt(raw, 10);
  }

  function readForm() {
    const body = { direction: $('rollout-direction').value };
    const target = $('rollout-target').value.trim();
    if (target) body.targetVersion = target;
    const strategy = {};
    const fields = [['canary', 'rollout-canary', 'Canary'], ['batchSize', 'rollout-batch-size', 'Batch size'],
      ['maxParallel', 'rollout-max-parallel', 'Max parallel'], ['maxFailures', 'rollout-max-failures', 'Max failures']];
    for (const [name, id, label] of fields) {
      const n = integerField(id, label);
      if (n !== undefined) strategy[name] = n;
    }
    if (Object.keys(strategy).length) body.strategy = strategy;
    if ($('rollout-dry-run').checked) body.dryRun = true;
    return body;
  }

  /** canary: whether the request had a canary (wave 0 is then the canary); waves are shown from 1. */
  function renderPlan(plan, canary) {
    const box = $('plan');
    show(box, true);
    attr(box, 'data-companies', plan.companies);
    text($('plan-summary'), (plan.direction === 'down' ? 'Roll back ' : 'Roll up ') + plan.companies
      + (plan.companies === 1 ? ' company' : ' companies') + ' to '
      + (plan.targetVersion ? 'v' + plan.targetVersion : 'the latest version') + ': ' + plan.steps
      + (plan.steps === 1 ? ' step' : ' steps') + ' in ' + plan.waves + (plan.waves === 1 ? ' wave' : ' waves')
      + '; ' + plan.upToDate + ' already up to date.');
    const items = (plan.plan || []).slice(0, PLAN_ROWS);
    const rows = $('plan-rows');
    rows.replaceChildren(...items.map((it) => h('tr', { 'data-testid': 'plan-row', 'data-schema': it.schemaName },
      h('td', { class: 'mono' }, it.schemaName),
      h('td', {}, it.companyName),
      h('td', {}, (it.wave + 1) + (canary && it.wave === 0 ? ' (canary)' : '')),
      h('td', { class: 'small' }, (it.versions || []).join(', ')))));
    const more = (plan.plan || []).length - items.length;
    text($('plan-more'), more > 0 ? 'and ' + more + ' more companies' : '');
    show($('plan-more'), more > 0);
  }

  async function submitRollout(ev) {
    ev.preventDefault();
    let body;
    try {
      body = readForm();
    } catch (e) {
      message(e.message, 'error');
      return;
    }
    if (body.direction === 'down' && !body.dryRun && !window.confirm('Roll back '
      + (body.targetVersion ? 'to v' + body.targetVersion : 'everything') + ' on every active company?')) return;
    const button = $('rollout-submit');
    button.disabled = true;
    try {
      const answer = await api('POST', '/rollouts', body);
      if (body.dryRun) {
        renderPlan(answer, !!(body.strategy && body.strategy.canary > 0));
        clearMessage();
      } else {
        show($('plan'), false);
        message('Rollout ' + shortId(answer.id) + ' started: ' + answer.totalTargets + ' companies, state '
          + answer.state + '.', 'ok');
        select(answer.id, true);
        state.active = true;
      }
    } catch (e) {
      const m = explain(e, body.dryRun ? 'plan a rollout' : 'start a rollout');
      if (m) message((body.dryRun ? 'Could not plan the rollout: ' : 'Could not start the rollout: ') + m, 'error');
    } finally {
      button.disabled = false;
    }
    refreshNow();
  }

  async function loadCatalog() {
    try {
      const migrations = await api('GET', '/migrations');
      $('catalog-versions').replaceChildren(...(migrations || []).map((m) =>
        h('option', { value: m.version }, m.name ? m.version + ' ' + m.name : m.version)));
    } catch (e) {
      // Only a convenience for the target field; a 401 is handled by the next refresh.
    }
  }

  // ---------------------------------------------------------------- companies

  async function loadCompanies() {
    try {
      const page = await api('GET', '/companies?size=100');
      // Oldest first, as the API lists them; companies created together in alphabetical order of schema.
      const items = (page.items || []).slice().sort((a, b) =>
        (Date.parse(a.createdAt) || 0) - (Date.parse(b.createdAt) || 0)
        || String(a.schemaName).localeCompare(String(b.schemaName), undefined, { numeric: true }));
      sync($('company-rows'), items, (c) => c.id, () => h('tr', { 'data-testid': 'company-row' },
        h('td', {}), h('td', { class: 'mono' }), h('td', { class: 'mono', 'data-testid': 'company-server' }),
        h('td', {}, h('span', { class: 'badge' })), h('td', { class: 'small' })),
      (row, c) => {
        attr(row, 'data-schema', c.schemaName);
        attr(row, 'data-company-id', c.id);
        text(row.children[0], c.companyName);
        text(row.children[1], c.schemaName);
        text(row.children[2], c.server || 'home');
        badge(row.children[3].firstChild, c.status);
        text(row.children[4], when(c.createdAt));
      });
      show($('companies-empty'), items.length === 0);
      text($('companies-note'), page.total > items.length ? '(' + items.length + ' of ' + page.total + ')'
        : '(' + items.length + ')');
      sectionError('companies', null);
    } catch (e) {
      const m = explain(e, 'list companies');
      if (m) sectionError('companies', 'Could not load the companies: ' + m);
      else throw e;
    }
  }

  // ---------------------------------------------------------------- servers

  function reachability(s) {
    return s.reachable === true ? 'reachable' : s.reachable === false ? 'unreachable' : 'unchecked';
  }

  async function loadServers() {
    try {
      const servers = await api('GET', '/servers');
      sync($('server-rows'), servers || [], (s) => s.name, () => h('tr', { 'data-testid': 'server-row' },
        h('td', { class: 'mono', 'data-testid': 'server-name' }),
        h('td', {}, h('span', { class: 'badge', 'data-testid': 'server-state' })),
        h('td', {}, h('span', { class: 'badge', 'data-testid': 'server-reachable' })),
        h('td', { class: 'num', 'data-testid': 'server-companies' }),
        h('td', { class: 'num', 'data-testid': 'server-pending' }),
        h('td', { class: 'num', 'data-testid': 'server-failed' }),
        h('td', { class: 'small error-text', 'data-testid': 'server-error' })),
      (row, s) => {
        attr(row, 'data-server', s.name);
        text(row.children[0], s.name);
        badge(row.children[1].firstChild, s.state);
        badge(row.children[2].firstChild, reachability(s));
        text(row.children[3], s.companies);
        text(row.children[4], s.pending);
        text(row.children[5], s.failed);
        text(row.children[6], s.lastError || '');
      });
      const down = (servers || []).filter((s) => s.reachable === false).length;
      text($('servers-note'), '(' + (servers || []).length + (down ? ', ' + down + ' unreachable' : '') + ')');
      sectionError('servers', null);
    } catch (e) {
      const m = explain(e, 'list servers');
      if (m) sectionError('servers', 'Could not load the servers: ' + m);
      else throw e;
    }
  }

  // ---------------------------------------------------------------- maintenance

  async function runJob(name, button) {
    button.disabled = true;
    try {
      const run = await api('POST', '/maintenance/jobs/' + encodeURIComponent(name) + '/run');
      message('Maintenance job ' + name + ': run ' + shortId(run.id) + ' requested.', 'ok');
      state.active = true;
    } catch (e) {
      const m = explain(e, 'run maintenance jobs');
      if (m) message('Could not run ' + name + ': ' + m, 'error');
    } finally {
      button.disabled = false;
    }
    refreshNow();
  }

  async function loadJobs() {
    try {
      // By name, so the list keeps its order from one poll to the next.
      const jobs = ((await api('GET', '/maintenance/jobs')) || []).slice()
        .sort((a, b) => String(a.name).localeCompare(String(b.name)));
      sync($('job-rows'), jobs, (j) => j.name, (j) => {
        const li = h('li', { 'data-testid': 'job-row', class: 'job' },
          h('div', { class: 'job-main' },
            h('div', { class: 'job-name mono' }),
            h('div', { class: 'job-desc small muted' }),
            h('div', { class: 'job-schedule small' })),
          h('div', { class: 'job-last' },
            h('span', { class: 'badge', 'data-testid': 'job-last-state' }),
            h('div', { class: 'small muted', 'data-testid': 'job-last-detail' })),
          h('button', { type: 'button', 'data-testid': 'job-run', class: 'button-small' }, 'Run now'));
        const button = li.querySelector('button');
        button.addEventListener('click', () => runJob(li.dataset.job, button));
        return li;
      }, (li, j) => {
        attr(li, 'data-job', j.name);
        li.dataset.job = j.name;
        const main = li.children[0];
        text(main.children[0], j.name);
        text(main.children[1], j.description || j.kind || '');
        text(main.children[2], (j.enabled ? 'cron ' + j.cron : 'unscheduled (cron ' + j.cron + ')')
          + (j.enabled && j.nextFireTime ? ' · next ' + when(j.nextFireTime) : ''));
        const last = li.children[1];
        const run = j.lastRun;
        attr(li, 'data-last-state', run ? run.state : '');
        if (run) {
          badge(last.children[0], run.state);
          show(last.children[0], true);
          text(last.children[1], run.succeeded + ' ok · ' + run.failed + ' failed of ' + run.companies + ' · '
            + when(run.finishedAt || run.startedAt || run.createdAt) + (run.error ? ' · ' + run.error : ''));
        } else {
          show(last.children[0], false);
          text(last.children[1], 'never run');
        }
      });
      show($('jobs-empty'), jobs.length === 0);
      sectionError('maintenance', null);
      return jobs.some((j) => j.lastRun && ACTIVE_RUN.has(j.lastRun.state));
    } catch (e) {
      const m = explain(e, 'see maintenance jobs');
      if (m) sectionError('maintenance', 'Could not load the maintenance jobs: ' + m);
      else throw e;
      return false;
    }
  }

  // ---------------------------------------------------------------- polling

  async function refresh() {
    if (!token()) return;
    if (state.inFlight) {
      state.again = true;
      return;
    }
    state.inFlight = true;
    clearTimeout(state.timer);
    const wasActive = state.active;
    try {
      const [rolloutsActive, , , jobsActive] = await Promise.all([loadRollouts(), loadFleet(), loadCompanies(),
        loadJobs(), loadDetail(), loadServers()]);
      state.active = rolloutsActive || jobsActive;
      text($('refresh-status'), 'Updated ' + when(new Date().toISOString())
        + (state.active ? ' · live every ' + FAST_MS / 1000 + ' s' : ' · every ' + SLOW_MS / 1000 + ' s'));
      attr($('refresh-status'), 'data-active', state.active);
      // Something just finished: read everything once more so the fleet and companies show the end state.
      if (wasActive && !state.active) state.again = true;
    } catch (e) {
      // A 401 already sent the user back to the token form (explain() did); anything else is shown per section.
      if (!(e instanceof ApiError && e.status === 401)) text($('refresh-status'), 'Refresh failed: ' + e.message);
    } finally {
      state.inFlight = false;
    }
    if (!token()) return;
    if (state.again) {
      state.again = false;
      state.timer = setTimeout(refresh, 250);
    } else {
      schedule();
    }
  }

  function schedule() {
    clearTimeout(state.timer);
    const delay = state.active ? FAST_MS : (document.hidden ? SLOW_MS * 3 : SLOW_MS);
    state.timer = setTimeout(refresh, delay);
  }

  function refreshNow() {
    if (state.inFlight) {
      state.again = true;
    } else {
      clearTimeout(state.timer);
      refresh();
    }
  }

  function stopPolling() {
    clearTimeout(state.timer);
    state.timer = null;
  }

  // ---------------------------------------------------------------- start

  function start() {
    $('token-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const value = $('token-input').value.trim();
      if (!value) {
        $('token-input').focus();
        return;
      }
      $('token-input').value = '';
      useToken(value);
    });
    $('token-forget').addEventListener('click', () => askForToken(''));
    $('message-close').addEventListener('click', clearMessage);
    $('rollout-form').addEventListener('submit', submitRollout);
    for (const b of document.querySelectorAll('#detail .actions button')) {
      b.addEventListener('click', () => steer(b.dataset.action));
    }
    $('rollout-dry-run').addEventListener('change', (ev) => {
      text($('rollout-submit'), ev.target.checked ? 'Show plan' : 'Start rollout');
    });
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && token()) refreshNow();
    });
    if (token()) useToken(token());
    else askForToken('');
  }

  start();
})();
