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
  const PLAN_ROWS = 50;
  const COMPANY_LEDGER_ROWS = 50;
  const ROLES = ['viewer', 'operator', 'admin'];  // each includes the ones before

  const state = {
    selected: null,      // id of the rollout shown in the detail panel
    active: false,       // a rollout or run is under way: poll fast
    timer: null,
    inFlight: false,
    again: false,        // a refresh was asked for while one was running
    started: false,
    company: null,       // id of the company shown in the company view
    migrating: false,    // a migrate call from the company view is in flight
    verifySeq: 0,        // the latest verify call; older answers are dropped
    companyOptions: '',  // what the ledger view's company list was built from
    rollouts: [],        // the rollouts listed, as last read
  };

  // The ledger view: filters as sent, and the "before" cursor of each page visited (null: the newest page).
  const ledgerView = { query: '', cursors: [null], next: null };

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

  /**
   * The token's role, read from its groups claim, or null when it cannot be read. Only decides which buttons the page
   * offers; the API checks every call on its own.
   */
  function tokenRole() {
    try {
      const payload = token().split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const groups = JSON.parse(atob(payload)).groups;
      const held = Array.isArray(groups) ? groups : [groups];
      return ROLES.reduce((best, r) => (held.includes(r) ? r : best), null);
    } catch (e) {
      return null;
    }
  }

  /** At least this role (viewer < operator < admin). */
  function hasRole(role) {
    return ROLES.indexOf(tokenRole()) >= ROLES.indexOf(role);
  }

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
    attr($('dashboard'), 'data-role', tokenRole() || 'unknown');
    closeCompany();
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

  /**
   * A rollout's progress as its bar and label show it. Done is succeeded + skipped: nothing is left to do for those
   * companies. Failed and cancelled are not done and get segments of their own; running is under way; pending and
   * waiting are the empty rest of the bar. Pure: counts in, widths (percent of the total) and a label out.
   *   {succeeded: 5, skipped: 1}, 6           -> done 100 %, "6 / 6 done (1 skipped)"
   *   {failed: 4, cancelled: 8}, 12           -> failed 33.33 %, cancelled 66.67 %, "0 / 12 done · 4 failed · 8 cancelled"
   */
  function rolloutProgress(targets, totalTargets) {
    const t = targets || {};
    const n = (k) => Math.max(0, Math.floor(Number(t[k])) || 0);
    const c = { succeeded: n('succeeded'), skipped: n('skipped'), failed: n('failed'), cancelled: n('cancelled'),
      running: n('running'), waiting: n('waiting'), pending: n('pending') };
    const done = c.succeeded + c.skipped;
    const counted = done + c.failed + c.cancelled + c.running + c.waiting + c.pending;
    // The counts can run ahead of a total read a moment earlier; never draw more than a full bar.
    const total = Math.max(Math.floor(Number(totalTargets)) || 0, counted);
    const pct = (x) => (total > 0 ? Math.round(10000 * x / total) / 100 : 0);
    const parts = [done + ' / ' + total + ' done' + (c.skipped ? ' (' + c.skipped + ' skipped)' : '')];
    for (const k of ['failed', 'cancelled', 'running', 'waiting']) if (c[k]) parts.push(c[k] + ' ' + k);
    return {
      total, done, ...c,
      widths: { done: pct(done), failed: pct(c.failed), cancelled: pct(c.cancelled), running: pct(c.running) },
      label: parts.join(' · '),
    };
  }

  /** The bar: done, failed, cancelled and running segments, in that order, over the empty rest. */
  function renderProgress(container, r) {
    const p = rolloutProgress(r.targets, r.totalTargets);
    if (!container.firstChild) {
      for (const s of Object.keys(p.widths)) {
        container.append(h('span', { class: 'seg seg-' + s, 'data-testid': 'seg-' + s, dataset: { seg: s } }));
      }
    }
    for (const seg of Array.from(container.children)) {
      const k = seg.dataset.seg;
      const width = p.widths[k] + '%';
      if (seg.style.width !== width) seg.style.width = width;
      attr(seg, 'title', k === 'done' ? 'done: ' + p.done + (p.skipped ? ' (' + p.skipped + ' skipped)' : '')
        : k + ': ' + p[k]);
    }
    attr(container, 'title', p.label);
    return p;
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
      text(cells[2].children[1], renderProgress(cells[2].children[0], r).label);
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
      state.rollouts = list;
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
      sync($('company-rows'), items, (c) => c.id, (c) => h('tr', {
        'data-testid': 'company-row', class: 'clickable', tabindex: '0',
        onclick: () => openCompany(c.id),
        onkeydown: (ev) => { if (ev.key === 'Enter') openCompany(c.id); },
      },
      h('td', {}), h('td', { class: 'mono' }), h('td', { class: 'mono', 'data-testid': 'company-server' }),
      h('td', {}, h('span', { class: 'badge' })), h('td', { class: 'small' })),
      (row, c) => {
        row.classList.toggle('selected', c.id === state.company);
        attr(row, 'data-schema', c.schemaName);
        attr(row, 'data-company-id', c.id);
        text(row.children[0], c.companyName);
        text(row.children[1], c.schemaName);
        text(row.children[2], c.server || 'home');
        badge(row.children[3].firstChild, c.status);
        text(row.children[4], when(c.createdAt));
      });
      show($('companies-empty'), items.length === 0);
      ledgerCompanyOptions(items);
      text($('companies-note'), page.total > items.length ? '(' + items.length + ' of ' + page.total + ')'
        : '(' + items.length + ')');
      sectionError('companies', null);
    } catch (e) {
      const m = explain(e, 'list companies');
      if (m) sectionError('companies', 'Could not load the companies: ' + m);
      else throw e;
    }
  }

  // ---------------------------------------------------------------- company view

  function formatMs(ms) {
    if (ms === null || ms === undefined) return '–';
    if (ms < 1000) return ms + ' ms';
    return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  }

  function stepText(e) {
    return (e.direction === 'down' ? '↓ ' : '↑ ') + (e.name || e.script || '');
  }

  function openCompany(id) {
    if (state.company !== id) {
      $('company-versions').replaceChildren();
      $('company-ledger').replaceChildren();
      text($('company-name'), '');
      text($('company-meta'), '');
    }
    state.company = id;
    attr($('company'), 'data-company-id', id);
    for (const row of $('company-rows').children) row.classList.toggle('selected', row.dataset.key === id);
    show($('company'), true);
    $('company').scrollIntoView({ block: 'nearest' });
    loadCompany().catch(() => {});
    verifyCompany();
  }

  function closeCompany() {
    state.company = null;
    state.verifySeq++;
    show($('company'), false);
    attr($('company'), 'data-company-id', '');
    for (const row of $('company-rows').children) row.classList.remove('selected');
  }

  /** The company, its versions with their state and its latest ledger steps; verify is asked for apart (it builds). */
  async function loadCompany() {
    const id = state.company;
    if (!id) return;
    const path = '/companies/' + encodeURIComponent(id);
    try {
      const [company, versions, ledger] = await Promise.all([api('GET', path), api('GET', path + '/migrations'),
        api('GET', '/ledger?companyId=' + encodeURIComponent(id) + '&limit=' + COMPANY_LEDGER_ROWS)]);
      if (state.company !== id) return;
      renderCompany(company, versions || [], (ledger && ledger.items) || []);
      sectionError('company', null);
    } catch (e) {
      const m = explain(e, 'see this company');
      if (m) sectionError('company', 'Could not load company ' + shortId(id) + ': ' + m);
      else throw e;
    }
  }

  function renderCompany(c, versions, steps) {
    text($('company-name'), c.companyName);
    badge($('company-status'), c.status);
    text($('company-meta'), c.schemaName + ' · server ' + (c.server || 'home') + ' · ' + c.id);
    attr($('company'), 'data-schema', c.schemaName);

    const byState = {};
    for (const v of versions) byState[v.state] = (byState[v.state] || 0) + 1;
    text($('company-versions-note'), '(' + Object.entries(byState).map(([k, n]) => n + ' ' + k).join(' · ') + ')');
    sync($('company-versions'), versions, (v) => v.version, () => h('tr', { 'data-testid': 'company-version' },
      h('td', { class: 'mono' }), h('td', {}), h('td', {}, h('span', { class: 'badge' }),
        h('span', { class: 'drift-mark', title: 'the file changed since it was applied' })),
      h('td', { class: 'small' }), h('td', { class: 'small error-text' })),
    (row, v) => {
      attr(row, 'data-version', v.version);
      attr(row, 'data-state', v.state);
      text(row.children[0], 'v' + v.version);
      text(row.children[1], v.name || v.script || '');
      badge(row.children[2].children[0], v.state);
      text(row.children[2].children[1], v.drifted ? 'drifted' : '');
      text(row.children[3], v.appliedAt ? when(v.appliedAt) : '–');
      text(row.children[4], v.lastError ? v.lastError + (v.lastErrorSqlState ? ' [' + v.lastErrorSqlState + ']' : '') : '');
    });

    const migrate = $('company-migrate');
    const todo = versions.filter((v) => v.state === 'pending' || v.state === 'failed').length;
    show(migrate, hasRole('operator'));
    migrate.disabled = state.migrating || todo === 0 || c.status !== 'active';
    attr(migrate, 'title', c.status !== 'active' ? 'Only active companies are migrated (this one is ' + c.status + ')'
      : todo === 0 ? 'Nothing pending' : 'Apply the ' + todo + ' pending version' + (todo === 1 ? '' : 's') + ' now');

    text($('company-ledger-note'), steps.length >= COMPANY_LEDGER_ROWS ? '(latest ' + steps.length + ')'
      : '(' + steps.length + ')');
    show($('company-ledger-empty'), steps.length === 0);
    sync($('company-ledger'), steps, (e) => e.id, () => h('tr', { 'data-testid': 'company-ledger-row' },
      h('td', { class: 'small' }), h('td', { class: 'mono' }), h('td', {}), h('td', {}, h('span', { class: 'badge' })),
      h('td', { class: 'num small' }), h('td', { class: 'small error-text' })),
    (row, e) => {
      attr(row, 'data-version', e.version);
      attr(row, 'data-status', e.status);
      text(row.children[0], when(e.startedAt));
      text(row.children[1], 'v' + e.version);
      text(row.children[2], stepText(e));
      badge(row.children[3].firstChild, e.status);
      text(row.children[4], formatMs(e.durationMs));
      text(row.children[5], e.error ? e.error + (e.errorSqlState ? ' [' + e.errorSqlState + ']' : '') : '');
    });
  }

  /** Builds the applied versions in a scratch schema (server side) and shows how the company's schema compares. */
  async function verifyCompany() {
    const id = state.company;
    if (!id) return;
    const seq = ++state.verifySeq;
    const box = $('company-verify');
    attr(box, 'data-ok', '');
    badge($('company-verify-badge'), 'checking');
    text($('company-verify-summary'), 'building the applied versions in a scratch schema…');
    $('company-verify-problems').replaceChildren();
    $('company-verify-run').disabled = true;
    try {
      const v = await api('GET', '/companies/' + encodeURIComponent(id) + '/verify');
      if (seq === state.verifySeq) renderVerify(v);
    } catch (e) {
      const m = explain(e, 'verify a company');
      if (m && seq === state.verifySeq) {
        attr(box, 'data-ok', 'error');
        badge($('company-verify-badge'), 'unknown');
        text($('company-verify-summary'), 'Could not verify: ' + m);
      }
    } finally {
      if (seq === state.verifySeq) $('company-verify-run').disabled = false;
    }
  }

  function renderVerify(v) {
    attr($('company-verify'), 'data-ok', String(!!v.ok));
    badge($('company-verify-badge'), v.ok ? 'ok' : 'problems');
    const applied = (v.appliedVersions || []).length;
    text($('company-verify-summary'), v.ok
      ? 'The schema is what its ' + applied + ' applied version' + (applied === 1 ? '' : 's') + ' build ('
        + (v.expectedTables || []).length + ' tables).'
      : 'The schema differs from what its ' + applied + ' applied versions build:');
    const lines = [];
    for (const [label, list] of [['missing tables', v.missingTables], ['extra tables', v.extraTables],
      ['row-level security off', v.rlsDisabled], ['without a policy', v.withoutPolicy],
      ['versions no longer in the catalog', v.unverifiable]]) {
      if (list && list.length) lines.push(label + ': ' + list.join(', '));
    }
    const f = v.failure;
    if (f) {
      lines.push('v' + f.version + ' (' + f.script + ') no longer builds: ' + f.message
        + (f.sqlState ? ' [' + f.sqlState + ']' : ''));
    }
    $('company-verify-problems').replaceChildren(...lines.map((l) => h('li', { 'data-testid': 'verify-problem' }, l)));
  }

  async function migrateCompany() {
    const id = state.company;
    if (!id || state.migrating) return;
    state.migrating = true;
    $('company-migrate').disabled = true;
    try {
      const r = await api('POST', '/companies/' + encodeURIComponent(id) + '/migrate');
      const applied = r.applied || [];
      message(applied.length ? 'Migrated ' + r.schemaName + ': applied ' + applied.map((v) => 'v' + v).join(', ') + '.'
        : r.schemaName + ' had nothing pending.', 'ok');
    } catch (e) {
      const m = explain(e, 'migrate a company');
      if (m) message('Could not migrate the company: ' + m, 'error');
    } finally {
      state.migrating = false;
    }
    if (state.company !== id) return;
    await loadCompany().catch(() => {});
    verifyCompany();
    refreshNow();
  }

  // ---------------------------------------------------------------- ledger view

  /** Keeps the company filter's choices in step with the companies list, without losing the current choice. */
  function ledgerCompanyOptions(companies) {
    const key = companies.map((c) => c.id + ':' + c.schemaName + ':' + c.companyName).join('|');
    if (key === state.companyOptions) return;
    state.companyOptions = key;
    const select = $('ledger-company');
    const chosen = select.value;
    select.replaceChildren(h('option', { value: '' }, 'any'), ...companies.map((c) =>
      h('option', { value: c.id, 'data-schema': c.schemaName }, c.schemaName + ' · ' + c.companyName)));
    if (chosen && !companies.some((c) => c.id === chosen)) select.append(h('option', { value: chosen }, shortId(chosen)));
    select.value = chosen;
  }

  /** The filters as query parameters; throws a message when the time range cannot mean anything. */
  function ledgerFilters() {
    const q = new URLSearchParams();
    const company = $('ledger-company').value;
    const version = $('ledger-version').value.trim();
    const status = $('ledger-status').value;
    if (company) q.set('companyId', company);
    if (version) q.set('version', version.replace(/^v/i, ''));
    if (status) q.set('status', status);
    // datetime-local is the browser's local time; the API wants an offset, so send UTC.
    const since = $('ledger-since').value ? new Date($('ledger-since').value) : null;
    const until = $('ledger-until').value ? new Date($('ledger-until').value) : null;
    if (since && until && !(until > since)) throw new Error('"until" must be after "started from".');
    if (since) q.set('since', since.toISOString());
    if (until) q.set('until', until.toISOString());
    q.set('limit', $('ledger-size').value);
    return q.toString();
  }

  function applyLedgerFilters() {
    let query;
    try {
      query = ledgerFilters();
    } catch (e) {
      sectionError('ledger', e.message);
      return;
    }
    ledgerView.query = query;
    ledgerView.cursors = [null];
    ledgerView.next = null;
    loadLedger().catch(() => {});
  }

  function ledgerPage(delta) {
    if (delta > 0 && ledgerView.next !== null) ledgerView.cursors.push(ledgerView.next);
    else if (delta < 0 && ledgerView.cursors.length > 1) ledgerView.cursors.pop();
    else return;
    loadLedger().catch(() => {});
  }

  async function loadLedger() {
    if (!ledgerView.query) ledgerView.query = ledgerFilters();
    const q = new URLSearchParams(ledgerView.query);
    const cursors = ledgerView.cursors;
    const before = cursors[cursors.length - 1];
    if (before !== null) q.set('before', before);
    const asked = ledgerView.query + '#' + cursors.length;
    try {
      const page = await api('GET', '/ledger?' + q);
      if (asked !== ledgerView.query + '#' + ledgerView.cursors.length) return; // the filters moved on meanwhile
      renderLedger(page);
      sectionError('ledger', null);
    } catch (e) {
      const m = explain(e, 'read the ledger');
      if (m) sectionError('ledger', 'Could not load the ledger: ' + m);
      else throw e;
    }
  }

  function renderLedger(page) {
    const items = (page && page.items) || [];
    ledgerView.next = page && page.nextBefore !== undefined ? page.nextBefore : null;
    sync($('ledger-rows'), items, (e) => e.id, (e) => h('tr', { 'data-testid': 'ledger-row' },
      h('td', { class: 'small' }),
      h('td', {}, h('a', { href: '#', class: 'mono', onclick: (ev) => { ev.preventDefault(); openCompany(e.companyId); } })),
      h('td', { class: 'mono' }), h('td', {}), h('td', {}, h('span', { class: 'badge' })),
      h('td', { class: 'num small' }), h('td', { class: 'mono small' }), h('td', { class: 'small error-text' })),
    (row, e) => {
      attr(row, 'data-ledger-id', e.id);
      attr(row, 'data-schema', e.schemaName);
      attr(row, 'data-status', e.status);
      attr(row, 'data-version', e.version);
      text(row.children[0], when(e.startedAt));
      text(row.children[1].firstChild, e.schemaName);
      text(row.children[2], 'v' + e.version);
      text(row.children[3], stepText(e));
      badge(row.children[4].firstChild, e.status);
      text(row.children[5], formatMs(e.durationMs));
      text(row.children[6], e.server || 'home');
      text(row.children[7], e.error ? e.error + (e.errorSqlState ? ' [' + e.errorSqlState + ']' : '') : '');
    });
    show($('ledger-empty'), items.length === 0);
    const n = ledgerView.cursors.length;
    attr($('ledger'), 'data-page', n);
    attr($('ledger'), 'data-rows', items.length);
    text($('ledger-page'), 'page ' + n + ' · ' + items.length + (items.length === 1 ? ' step' : ' steps')
      + (ledgerView.next === null ? ' · no older steps' : ''));
    $('ledger-newer').disabled = n <= 1;
    $('ledger-older').disabled = ledgerView.next === null;
    text($('ledger-note'), '(newest first)');
  }

  /** From the company view: the whole ledger of that company, first page. */
  function companyInLedger() {
    const id = state.company;
    if (!id) return;
    const select = $('ledger-company');
    if (!Array.from(select.options).some((o) => o.value === id)) select.append(h('option', { value: id }, shortId(id)));
    $('ledger-form').reset();
    select.value = id;
    applyLedgerFilters();
    $('ledger').scrollIntoView({ block: 'start' });
  }

  // ---------------------------------------------------------------- blocked by a lock

  const BLOCKED_WINDOW_MS = 24 * 3600 * 1000;  // how far back a lock-timeout still counts as recent
  const BLOCKED_FAILED = 200;  // the newest failed steps: where the lock-timeouts are found
  const BLOCKED_STEPS = 500;   // the newest steps of any status: whether a company moved on since its lock-timeout

  /**
   * A ledger step's lockBlocker, as the service writes it (sql.Blocker.describe), in its parts:
   *   "pid 4242 (application 'report', idle in transaction, transaction open 31 s): SELECT ..."
   * The query is absent when the service records none (FLOTILLA_LOCK_RECORD_QUERY=false); text of another shape is
   * kept whole as the query, with the other parts null.
   */
  function parseBlocker(s) {
    const m = /^pid (\d+) \(application '(.*?)', (.+?)(?:, transaction open (\d+) s)?\)(?:: ([\s\S]*))?$/.exec(s || '');
    if (!m) return { pid: null, application: null, state: null, transactionSeconds: null, query: s || null };
    return { pid: Number(m[1]), application: m[2], state: m[3],
      transactionSeconds: m[4] === undefined ? null : Number(m[4]), query: m[5] === undefined ? null : m[5] };
  }

  /**
   * The companies blocked by a lock, from ledger steps (any order, duplicates allowed). Each company's newest finished
   * step decides (a running one is skipped: a retry under way does not unblock it); the company is blocked when that
   * step failed as lock-timeout. It is waiting, not failed, when the step's rollout is under way with
   * onLockTimeout wait (it is tried again); rollouts are the ones the page lists. Newest first.
   */
  function blockedCompanies(steps, rollouts) {
    const newest = new Map();
    for (const e of steps || []) {
      if (!e || e.status === 'running') continue;
      const seen = newest.get(e.companyId);
      if (!seen || e.id > seen.id) newest.set(e.companyId, e);
    }
    const waiting = new Set((rollouts || []).filter((r) => ACTIVE_ROLLOUT.has(r.state)
      && r.strategy && r.strategy.onLockTimeout === 'wait').map((r) => r.id));
    return Array.from(newest.values())
      .filter((e) => e.status === 'failed' && /^lock-timeout\b/.test(e.error || ''))
      .sort((a, b) => b.id - a.id)
      .map((e) => ({ step: e, state: waiting.has(e.runId) ? 'waiting' : 'failed', blocker: parseBlocker(e.lockBlocker) }));
  }

  function renderBlocked(list) {
    sync($('blocked-rows'), list, (b) => b.step.companyId, (b) => h('tr', { 'data-testid': 'blocked-row' },
      h('td', {}, h('a', { href: '#', class: 'mono', onclick: (ev) => { ev.preventDefault(); openCompany(b.step.companyId); } })),
      h('td', {}, h('span', { class: 'badge', 'data-testid': 'blocked-state' })),
      h('td', { 'data-testid': 'blocked-step' }),
      h('td', { class: 'num', 'data-testid': 'blocked-attempts' }),
      h('td', { class: 'num mono', 'data-testid': 'blocked-pid' }),
      h('td', { class: 'mono', 'data-testid': 'blocked-application' }),
      h('td', { 'data-testid': 'blocked-blocker-state' }),
      h('td', { class: 'num', 'data-testid': 'blocked-age' }),
      h('td', { class: 'mono small error-text', 'data-testid': 'blocked-query' }),
      h('td', { class: 'small', 'data-testid': 'blocked-since' })),
    (row, b) => {
      const e = b.step;
      const k = b.blocker;
      attr(row, 'data-schema', e.schemaName);
      attr(row, 'data-state', b.state);
      attr(row, 'data-ledger-id', e.id);
      const cells = row.children;
      text(cells[0].firstChild, e.schemaName);
      badge(cells[1].firstChild, b.state);
      text(cells[2], 'v' + e.version + ' ' + stepText(e));
      attr(cells[2], 'title', e.error || '');
      text(cells[3], e.lockAttempts);
      text(cells[4], k.pid === null ? '–' : k.pid);
      text(cells[5], k.application === null ? '–' : k.application);
      text(cells[6], k.state === null ? '–' : k.state);
      text(cells[7], k.transactionSeconds === null ? '–' : k.transactionSeconds + ' s');
      text(cells[8], k.query === null ? (e.lockBlocker ? '(not recorded)' : '–') : k.query);
      text(cells[9], when(e.finishedAt || e.startedAt));
    });
    show($('blocked-table'), list.length > 0);
    show($('blocked-empty'), list.length === 0);
    attr($('blocked'), 'data-count', list.length);
    const waiting = list.filter((b) => b.state === 'waiting').length;
    text($('blocked-note'), list.length ? '(' + list.length + (waiting ? ', ' + waiting + ' waiting' : '') + ')' : '');
  }

  async function loadBlocked() {
    try {
      const since = encodeURIComponent(new Date(Date.now() - BLOCKED_WINDOW_MS).toISOString());
      const [failed, recent] = await Promise.all([
        api('GET', '/ledger?status=failed&limit=' + BLOCKED_FAILED + '&since=' + since),
        api('GET', '/ledger?limit=' + BLOCKED_STEPS + '&since=' + since)]);
      renderBlocked(blockedCompanies([...((failed && failed.items) || []), ...((recent && recent.items) || [])],
        state.rollouts));
      sectionError('blocked', null);
    } catch (e) {
      const m = explain(e, 'read the ledger');
      if (m) sectionError('blocked', 'Could not load the blocked companies: ' + m);
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
      // The blocked companies after the rollouts: which of them wait is read from the rollouts listed.
      const [rolloutsActive, , , jobsActive] = await Promise.all([
        loadRollouts().then(async (active) => { await loadBlocked(); return active; }), loadFleet(), loadCompanies(),
        loadJobs(), loadDetail(), loadServers(), loadCompany(), loadLedger()]);
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
    $('company-migrate').addEventListener('click', migrateCompany);
    $('company-verify-run').addEventListener('click', verifyCompany);
    $('company-ledger-all').addEventListener('click', companyInLedger);
    $('company-close').addEventListener('click', closeCompany);
    $('ledger-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      applyLedgerFilters();
    });
    $('ledger-form').addEventListener('change', applyLedgerFilters);
    $('ledger-reset').addEventListener('click', () => {
      $('ledger-form').reset();
      applyLedgerFilters();
    });
    $('ledger-newer').addEventListener('click', () => ledgerPage(-1));
    $('ledger-older').addEventListener('click', () => ledgerPage(1));
    $('rollout-dry-run').addEventListener('change', (ev) => {
      text($('rollout-submit'), ev.target.checked ? 'Show plan' : 'Start rollout');
    });
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && token()) refreshNow();
    });
    if (token()) useToken(token());
    else askForToken('');
  }

  // The progress arithmetic and the reading of blocked companies, for the console (or a browser test).
  window.Flotilla = Object.freeze({ rolloutProgress, parseBlocker, blockedCompanies });

  start();
})();
