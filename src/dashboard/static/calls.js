// The call history: filters kept in the page URL (a link shows the same view), keyset pages from /api/calls, the
// filtered set as CSV, and a link from each row to the call's page. Everything from outside is written as text.
'use strict';
(() => {
  const { api, el, duration, shortName, phone, time, callLink } = window.telehook;
  const $ = (id) => document.getElementById(id);
  const form = $('filters');
  /** The filters the page URL may carry, as the API names them. */
  const FILTERS = ['from', 'to', 'direction', 'outcome', 'team', 'agent', 'numberContains', 'source'];
  const PAGE_SIZE = 50;
  /** The columns the list sorts by (the API's sort), and those that sort largest first on a first click. */
  const SORTS = ['started', 'waited', 'talked', 'outcome', 'from', 'to', 'team', 'agent'];
  const LARGEST_FIRST = new Set(['started', 'waited', 'talked']);

  /** The view in the page URL: filters, order, and the cursor of the page shown. */
  function viewOf(search) {
    const params = new URLSearchParams(search);
    const limit = Number(params.get('limit'));
    const sort = params.get('sort');
    const view = {
      sort: SORTS.includes(sort) ? sort : 'started',
      order: params.get('order') === 'asc' ? 'asc' : 'desc',
      after: params.get('after') ?? '',
      limit: Number.isInteger(limit) && limit >= 1 && limit <= 1000 ? limit : PAGE_SIZE,
    };
    for (const name of FILTERS) view[name] = params.get(name) ?? '';
    return view;
  }

  function pageUrlOf(view) {
    const params = new URLSearchParams();
    for (const name of FILTERS) if (view[name]) params.set(name, view[name]);
    if (view.sort !== 'started') params.set('sort', view.sort);
    if (view.order === 'asc') params.set('order', 'asc');
    if (view.limit !== PAGE_SIZE) params.set('limit', String(view.limit));
    if (view.after) params.set('after', view.after);
    const token = window.telehook.token;
    if (token) params.set('token', token);
    const query = params.toString();
    return `/calls${query ? `?${query}` : ''}`;
  }

  /** A date input's day as local midnight, epoch ms; `to` is inclusive, so its end is the next midnight. */
  function dayStart(value, next) {
    const [year, month, day] = value.split('-').map(Number);
    return new Date(year, month - 1, day + (next ? 1 : 0)).getTime();
  }

  /** The API's query for the view's filters (without paging). */
  function filterQuery(view) {
    const params = new URLSearchParams();
    if (view.from) params.set('from', String(dayStart(view.from, false)));
    if (view.to) params.set('to', String(dayStart(view.to, true)));
    for (const name of FILTERS.slice(2)) if (view[name]) params.set(name, view[name].trim());
    return params;
  }

  function fillForm(view) {
    for (const name of FILTERS) form.elements.namedItem(name).value = view[name];
    // Only the sorted column's header carries aria-sort; the arrow shows the same to the eye.
    for (const button of document.querySelectorAll('button.sort')) {
      const sorted = button.dataset.sort === view.sort;
      const header = button.closest('th');
      if (sorted) header.setAttribute('aria-sort', view.order === 'asc' ? 'ascending' : 'descending');
      else header.removeAttribute('aria-sort');
      button.lastElementChild.textContent = sorted ? (view.order === 'asc' ? '▲' : '▼') : '';
    }
  }

  function formView() {
    const view = { sort: current.sort, order: current.order, limit: current.limit, after: '' };
    for (const name of FILTERS) view[name] = form.elements.namedItem(name).value.trim();
    return view;
  }

  function agentOf(call) {
    return call.answeredBy ?? call.placedBy ?? call.agents[0]?.agent ?? null;
  }

  function callRow(call) {
    const tr = el('tr', null, 'clickable', { 'data-key': call.key });
    const started = el('td');
    started.append(callLink(call.key, time(call.startedAt, true)));
    const outcome = call.outcome ?? 'live';
    tr.append(
      started,
      el('td', call.direction ?? '—'),
      el('td', phone(call.from)),
      el('td', phone(call.to)),
      el('td', shortName(call.team)),
      el('td', shortName(agentOf(call))),
      el('td', outcome, `outcome-${outcome}`),
      el('td', duration(call.waitedSec), 'num'),
      el('td', duration(call.talkSec), 'num'),
      el('td', call.closedBy === 'backfill' ? 'backfill' : 'live'),
    );
    return tr;
  }

  let current = viewOf(location.search);
  let next = null;
  let loading = 0;

  async function load() {
    const view = current;
    const ticket = ++loading;
    fillForm(view);
    const params = filterQuery(view);
    if (view.sort !== 'started') params.set('sort', view.sort);
    // The CSV lists the filtered calls in the order shown.
    const csvParams = new URLSearchParams(params);
    csvParams.set('order', view.order);
    if (window.telehook.token) csvParams.set('token', window.telehook.token);
    $('csv').href = `/api/calls.csv?${csvParams}`;
    params.set('limit', String(view.limit));
    if (view.order === 'asc') params.set('order', 'asc');
    if (view.after) params.set('after', view.after);
    $('status').textContent = 'loading…';
    try {
      const page = await api(`/api/calls?${params}`);
      if (ticket !== loading) return;
      $('error').hidden = true;
      $('calls').replaceChildren(...page.items.map(callRow));
      $('empty').hidden = page.items.length > 0;
      next = page.next;
      $('next').disabled = next === null;
      $('first').disabled = !view.after;
      $('status').textContent = `${page.items.length} shown${view.after ? ' (a later page)' : ''}`;
    } catch (error) {
      if (ticket !== loading) return;
      $('error').hidden = false;
      $('error').textContent = `Could not load the calls: ${error.message}`;
      $('status').textContent = '';
    }
  }

  function show(view) {
    current = view;
    history.pushState(null, '', pageUrlOf(view));
    void load();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    show(formView());
  });
  $('reset').addEventListener('click', () =>
    show({ ...viewOf(''), sort: current.sort, order: current.order, limit: current.limit }),
  );
  // A header's button sorts by its column; a second click turns the order round. Back to the first page.
  for (const button of document.querySelectorAll('button.sort'))
    button.addEventListener('click', () => {
      const sort = button.dataset.sort;
      const order =
        sort === current.sort
          ? current.order === 'asc'
            ? 'desc'
            : 'asc'
          : LARGEST_FIRST.has(sort)
            ? 'desc'
            : 'asc';
      show({ ...formView(), sort, order });
    });
  $('next').addEventListener('click', () => {
    if (next) show({ ...current, after: next });
  });
  $('first').addEventListener('click', () => show({ ...current, after: '' }));
  // A click anywhere on a row opens the call, as its link does (the link is what the keyboard reaches).
  $('calls').addEventListener('click', (event) => {
    const tr = event.target.closest('tr[data-key]');
    if (!tr || event.target.closest('a')) return;
    location.href = tr.querySelector('a').href;
  });
  window.addEventListener('popstate', () => {
    current = viewOf(location.search);
    void load();
  });

  // Team and agent names for the inputs' suggestions: those of the last 30 days, read once on first focus.
  let suggested = false;
  async function suggest() {
    if (suggested) return;
    suggested = true;
    const from = Date.now() - 30 * 86_400_000;
    try {
      const [teams, agents] = await Promise.all([
        api(`/api/stats?from=${from}&to=${Date.now()}&groupBy=team`),
        api(`/api/stats?from=${from}&to=${Date.now()}&groupBy=agent`),
      ]);
      const options = (items) => items.filter(Boolean).map((value) => el('option', null, null, { value }));
      $('teams').replaceChildren(...options(teams.groups.map((group) => group.key)));
      $('agents').replaceChildren(...options(agents.groups.map((group) => group.agent)));
    } catch {
      suggested = false;
    }
  }
  for (const name of ['team', 'agent']) form.elements.namedItem(name).addEventListener('focus', suggest);

  void load();
})();
