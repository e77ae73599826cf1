// Reports for a period: totals, calls per day or per 15 minutes by outcome, service level and ASA over time, and
// per-agent, per-team and repeat-caller tables. Every figure is /api/stats's (or /api/repeat-callers'), shown as
// it comes: the page computes no metric of its own.
'use strict';
(() => {
  const { api, duration, shortName, phone, percent, time, sortableTable } = window.telehook;
  const $ = (id) => document.getElementById(id);
  const form = $('filters');
  const FIELDS = ['from', 'to', 'team', 'agent', 'groupBy', 'scope', 'hours'];
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  const isoDay = (date) =>
    `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  function dayStart(value, next) {
    const [year, month, day] = value.split('-').map(Number);
    return new Date(year, month - 1, day + (next ? 1 : 0)).getTime();
  }

  /** The report in the page URL; without a period, the last seven days. */
  function viewOf(search) {
    const params = new URLSearchParams(search);
    const today = new Date();
    const view = {
      from:
        params.get('from') ?? isoDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 6)),
      to: params.get('to') ?? isoDay(today),
      team: params.get('team') ?? '',
      agent: params.get('agent') ?? '',
      groupBy: params.get('groupBy') === '15min' ? '15min' : 'day',
      scope: params.get('scope') === 'business' ? 'business' : '',
      // Empty: the centre's business hours (TELEHOOK_BUSINESS_HOURS and holidays), as the alert rules count them.
      hours: params.get('hours') ?? '',
    };
    return view;
  }

  function pageUrlOf(view) {
    const params = new URLSearchParams();
    for (const name of FIELDS) if (view[name]) params.set(name, view[name]);
    if (window.telehook.token) params.set('token', window.telehook.token);
    return `/reports?${params}`;
  }

  /** The query every report request shares: the period in this browser's zone, the scope, the hours. */
  function scopeQuery(view) {
    const params = new URLSearchParams({
      from: String(dayStart(view.from, false)),
      to: String(dayStart(view.to, true)),
      tz: timezone,
    });
    if (view.team) params.set('team', view.team);
    if (view.agent) params.set('agent', view.agent);
    if (view.scope === 'business') params.set('hours', view.hours || 'business');
    return params;
  }

  const TILE_FORMAT = {
    abandonmentRate: percent,
    serviceLevel: percent,
    asaSec: duration,
    ahtSec: duration,
  };
  function showTotals(totals) {
    for (const node of document.querySelectorAll('.report-tiles [data-field]')) {
      const field = node.getAttribute('data-field');
      const value = totals[field];
      node.textContent = TILE_FORMAT[field] ? TILE_FORMAT[field](value) : String(value);
      node.setAttribute('data-value', value === null ? '' : String(value));
    }
  }

  const charts = [];
  function chart(target, options, data) {
    if (typeof uPlot === 'undefined') return;
    const width = Math.max(280, target.clientWidth);
    const plot = new uPlot({ width, height: 260, ...options }, data, target);
    charts.push(plot);
  }

  const OUTCOMES = [
    ['answered', 'Answered', '#3fb950'],
    ['abandoned', 'Abandoned', '#d29922'],
    ['missed', 'Missed', '#f85149'],
    ['voicemail', 'Voicemail', '#a371f7'],
    ['other', 'Other', '#8b949e'],
  ];
  function showCharts(groups, groupBy) {
    for (const plot of charts.splice(0)) plot.destroy();
    const xs = groups.map((group) => group.start / 1000);
    const values = OUTCOMES.map(([key]) =>
      groups.map((group) =>
        key === 'other' ? group.shortAbandoned + group.unknown + group.live : group[key],
      ),
    );
    // uPlot has no stacked bars: each series is drawn up to the running total, the tallest first.
    const stacked = values.map((_, index) =>
      groups.map((_, at) => values.slice(0, index + 1).reduce((sum, series) => sum + series[at], 0)),
    );
    const bars = uPlot.paths.bars({ size: [0.8, 60] });
    const order = [...OUTCOMES.keys()].reverse();
    const axisColor = { stroke: '#8b949e', grid: { stroke: '#30363d' }, ticks: { stroke: '#30363d' } };
    chart(
      $('outcomes-chart'),
      {
        scales: { x: { time: true } },
        axes: [axisColor, { ...axisColor, label: 'calls' }],
        series: [
          { label: groupBy === 'day' ? 'Day' : 'Quarter hour' },
          ...order.map((index) => ({
            label: OUTCOMES[index][1],
            fill: OUTCOMES[index][2],
            stroke: OUTCOMES[index][2],
            paths: bars,
            points: { show: false },
            value: (_u, _v, _series, at) => (at === null ? '—' : values[index][at]),
          })),
        ],
      },
      [xs, ...order.map((index) => stacked[index])],
    );
    chart(
      $('service-chart'),
      {
        scales: { x: { time: true }, percent: { range: [0, 100] }, seconds: {} },
        axes: [
          axisColor,
          { ...axisColor, scale: 'percent', label: 'service level %' },
          { ...axisColor, scale: 'seconds', side: 1, label: 'ASA s', grid: { show: false } },
        ],
        series: [
          { label: groupBy === 'day' ? 'Day' : 'Quarter hour' },
          { label: 'Service level %', scale: 'percent', stroke: '#58a6ff', width: 2, spanGaps: false },
          { label: 'ASA s', scale: 'seconds', stroke: '#d29922', width: 2, spanGaps: false },
        ],
      },
      [
        xs,
        groups.map((group) =>
          group.serviceLevel === null ? null : Math.round(group.serviceLevel * 1000) / 10,
        ),
        groups.map((group) => group.asaSec),
      ],
    );
  }

  const count = (value) => String(value ?? 0);
  function showTables(agents, teams, repeat) {
    sortableTable(
      $('agents'),
      [
        { key: 'agent', label: 'Agent', format: shortName },
        { key: 'team', label: 'Team', format: shortName },
        { key: 'offered', label: 'Offered', numeric: true, format: count },
        { key: 'answered', label: 'Answered', numeric: true, format: count },
        { key: 'rangNotAnswered', label: 'Rang, not answered', numeric: true, format: count },
        { key: 'talkSec', label: 'Talk time', numeric: true, format: duration },
        { key: 'ahtSec', label: 'AHT', numeric: true, format: duration },
        { key: 'outboundPlaced', label: 'Outbound', numeric: true, format: count },
      ],
      agents,
      { name: 'agents', sortKey: 'answered' },
    );
    sortableTable(
      $('teams'),
      [
        { key: 'key', label: 'Team', format: (value) => (value === null ? 'no team' : shortName(value)) },
        { key: 'offered', label: 'Offered', numeric: true, format: count },
        { key: 'answered', label: 'Answered', numeric: true, format: count },
        { key: 'abandoned', label: 'Abandoned', numeric: true, format: count },
        { key: 'missed', label: 'Missed', numeric: true, format: count },
        { key: 'voicemail', label: 'Voicemail', numeric: true, format: count },
        { key: 'serviceLevel', label: 'Service level', numeric: true, format: percent },
        { key: 'asaSec', label: 'ASA', numeric: true, format: duration },
        { key: 'ahtSec', label: 'AHT', numeric: true, format: duration },
        { key: 'abandonmentRate', label: 'Abandonment', numeric: true, format: percent },
        { key: 'outboundPlaced', label: 'Outbound', numeric: true, format: count },
      ],
      teams,
      { name: 'teams', sortKey: 'offered' },
    );
    sortableTable(
      $('repeat'),
      [
        { key: 'number', label: 'Number', format: phone },
        { key: 'calls', label: 'Calls', numeric: true, format: count },
        { key: 'answered', label: 'Answered', numeric: true, format: count },
        { key: 'firstAt', label: 'First', numeric: true, format: (value) => time(value, true) },
        { key: 'lastAt', label: 'Last', numeric: true, format: (value) => time(value, true) },
      ],
      repeat,
      { name: 'repeat-callers', sortKey: 'calls' },
    );
  }

  let loading = 0;
  async function load(view) {
    const ticket = ++loading;
    for (const name of FIELDS) form.elements.namedItem(name).value = view[name];
    $('period').textContent =
      `${view.from} – ${view.to}${view.scope === 'business' ? `, ${view.hours || 'business hours'}` : ''}`;
    const query = scopeQuery(view);
    const withGroup = (groupBy) => `/api/stats?${query}&groupBy=${groupBy}`;
    try {
      const [buckets, agents, teams, repeat] = await Promise.all([
        api(withGroup(view.groupBy)),
        api(withGroup('agent')),
        api(withGroup('team')),
        api(`/api/repeat-callers?${query}&limit=100`),
      ]);
      if (ticket !== loading) return;
      $('error').hidden = true;
      showTotals(buckets.totals);
      showCharts(buckets.groups, view.groupBy);
      showTables(agents.groups, teams.groups, repeat.items);
      document.body.setAttribute('data-loaded', String(ticket));
    } catch (error) {
      if (ticket !== loading) return;
      $('error').hidden = false;
      $('error').textContent = `Could not load the report: ${error.message}`;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const view = {};
    for (const name of FIELDS) view[name] = form.elements.namedItem(name).value.trim();
    history.pushState(null, '', pageUrlOf(view));
    void load(view);
  });
  $('print').addEventListener('click', () => window.print());
  window.addEventListener('popstate', () => void load(viewOf(location.search)));
  void load(viewOf(location.search));
})();
