// The wallboard: a snapshot from /api/live, then call, event and stats messages as they happen, applied by
// live-state.js. What changed is redrawn once per animation frame, however many messages came in it; the waiting
// times tick every second in the browser.
'use strict';
(() => {
  const { token, api, el, row, duration, shortName, phone, percent, time, callLink } = window.telehook;
  const { createLiveState, applyLiveMessage } = window.telehookLive;
  const $ = (id) => document.getElementById(id);

  const state = {
    ...createLiveState(),
    settings: { waitAmberSec: 60, waitRedSec: 120, serviceLevelAmber: 0.8 },
    clockOffset: 0,
    lastEventId: null,
    chart: null,
  };
  const now = () => Date.now() + state.clockOffset;

  // ── Rendering ─────────────────────────────────────────────────────────────
  const queueCalls = () =>
    [...state.live.values()]
      .filter(
        (call) => call.direction !== 'outbound' && (call.state === 'waiting' || call.state === 'ringing'),
      )
      .sort((a, b) => a.startedAt - b.startedAt);

  function waitClass(seconds) {
    if (seconds >= state.settings.waitRedSec) return 'red';
    if (seconds >= state.settings.waitAmberSec) return 'amber';
    return '';
  }

  function renderQueue() {
    const body = $('queue');
    const calls = queueCalls();
    const rows = calls.map((call) => {
      const waited = (now() - call.startedAt) / 1000;
      const waiting = el(
        'span',
        duration(waited),
        `wait ${waitClass(waited) ? `wait-${waitClass(waited)}` : ''}`,
        { 'data-started': call.startedAt },
      );
      const ringing = call.agents
        .filter((leg) => leg.rangAt !== null && !leg.answered && leg.endedAt === null)
        .map((leg) => shortName(leg.agent));
      const status = el(
        'span',
        call.state === 'ringing' ? `ringing ${ringing.join(', ')}`.trim() : 'waiting',
        `chip ${call.state}`,
      );
      return row(
        [callLink(call.key, phone(call.from)), waiting, shortName(call.team), call.ivr ?? '—', status],
        { 'data-key': call.key, 'data-state': call.state },
      );
    });
    body.replaceChildren(...rows);
    $('queue-empty').hidden = rows.length > 0;
    renderQueueTiles();
  }

  function renderQueueTiles() {
    const calls = queueCalls();
    setTile('waitingNow', calls.length);
    const longest = calls.length > 0 ? (now() - calls[0].startedAt) / 1000 : null;
    setTile('longestWait', longest === null ? '—' : duration(longest));
    $('tile-longest').className = `tile ${longest === null ? '' : waitClass(longest)}`;
  }

  /** A firing alert as one line; a silence counts up, in whole minutes, from the last event. */
  function alertText(alert) {
    const last = alert.details && alert.details.lastEventAt;
    if (alert.rule === 'silence' && typeof last === 'number')
      return `no events from TeleCMI for ${Math.max(0, Math.floor((now() - last) / 60_000))} min`;
    return alert.summary;
  }

  function renderAlerts() {
    const box = $('alerts');
    box.hidden = state.alerts.length === 0;
    const lines = state.alerts.map((alert) => `⚠ ${alertText(alert)}`);
    const text = lines.join('\n');
    if (box.dataset.text === text) return;
    box.dataset.text = text;
    box.replaceChildren(...lines.map((line) => el('div', line)));
  }

  function tick() {
    for (const node of document.querySelectorAll('#queue [data-started]')) {
      const waited = (now() - Number(node.getAttribute('data-started'))) / 1000;
      node.textContent = duration(waited);
      node.className = `wait ${waitClass(waited) ? `wait-${waitClass(waited)}` : ''}`;
    }
    renderQueueTiles();
    renderAlerts();
    $('clock').textContent = new Date(now()).toLocaleTimeString();
  }

  function setTile(field, value) {
    const node = document.querySelector(`[data-field="${field}"]`);
    if (node) node.textContent = String(value);
  }

  function renderFigures() {
    const figures = state.figures;
    if (!figures) return;
    const totals = figures.totals;
    setTile('answered', totals.answered);
    setTile('abandoned', totals.abandoned);
    setTile('missed', totals.missed + totals.voicemail);
    setTile('serviceLevel', percent(totals.serviceLevel));
    setTile('asa', totals.asaSec === null ? '—' : duration(totals.asaSec));
    setTile('abandonmentRate', percent(totals.abandonmentRate));
    $('tile-sl').className =
      `tile ${totals.serviceLevel !== null && totals.serviceLevel < state.settings.serviceLevelAmber ? 'amber' : ''}`;
    $('updated').textContent = `updated ${time(figures.generatedAt)}`;
    renderLag();
    renderTeams();
    renderMissed();
    renderChart();
    renderAgents();
  }

  /** The calls may lag behind the events at peak (the events are safe): said only when it shows on the board. */
  function renderLag() {
    const lag = state.figures?.projectionLagSeconds ?? 0;
    $('lag').hidden = !(lag > 2);
    $('lag').textContent = lag > 2 ? `calls ${lag} s behind` : '';
  }

  function renderTeams() {
    const rows = (state.figures?.teams ?? []).map((team) =>
      row(
        [
          shortName(team.key),
          team.offered,
          team.answered,
          team.abandoned,
          team.missed + team.voicemail,
          percent(team.serviceLevel),
        ],
        { 'data-team': team.key ?? '' },
      ),
    );
    $('teams').replaceChildren(...rows);
  }

  function renderMissed() {
    const rows = (state.figures?.missed ?? []).map((call) => {
      const back = call.calledBack
        ? `${time(call.calledBack.at)} by ${shortName(call.calledBack.by)}`
        : 'not yet';
      return row(
        [
          callLink(call.key, phone(call.from)),
          time(call.startedAt),
          el('span', call.outcome, `outcome-${call.outcome}`),
          duration(call.waitedSec),
          back,
        ],
        {
          'data-key': call.key,
          'data-outcome': call.outcome,
        },
      );
    });
    $('missed').replaceChildren(...rows);
  }

  /** Agents: on a call, ringing, or idle as far as the events tell, with their figures for today. */
  function renderAgents() {
    const status = new Map();
    for (const call of state.live.values()) {
      for (const leg of call.agents) {
        if (leg.answered && call.state !== 'ended') status.set(leg.agent, 'on-call');
        else if (
          leg.rangAt !== null &&
          !leg.answered &&
          leg.endedAt === null &&
          status.get(leg.agent) !== 'on-call'
        )
          status.set(leg.agent, 'ringing');
      }
    }
    const agents = new Map((state.figures?.agents ?? []).map((agent) => [agent.agent, agent]));
    for (const agent of status.keys())
      if (!agents.has(agent)) agents.set(agent, { agent, answered: 0, rangNotAnswered: 0, ahtSec: null });
    const rows = [...agents.values()]
      .sort((a, b) => a.agent.localeCompare(b.agent))
      .map((agent) => {
        const current = status.get(agent.agent) ?? 'idle';
        return row(
          [
            shortName(agent.agent),
            el('span', current.replace('-', ' '), `chip ${current}`),
            agent.answered,
            agent.rangNotAnswered,
            duration(agent.ahtSec),
          ],
          {
            'data-agent': agent.agent,
            'data-status': current,
          },
        );
      });
    $('agents').replaceChildren(...rows);
  }

  function renderChart() {
    const hours = state.figures?.hours ?? [];
    if (typeof uPlot === 'undefined' || hours.length === 0) return;
    const x = hours.map((hour) => Math.round(hour.start / 1000));
    const answered = hours.map((hour) => hour.answered);
    const missed = hours.map((hour) => hour.abandoned + hour.shortAbandoned + hour.missed + hour.voicemail);
    const container = $('chart');
    const width = Math.max(300, container.clientWidth);
    if (state.chart) {
      state.chart.setData([x, answered, missed]);
      if (state.chart.width !== width) state.chart.setSize({ width, height: 240 });
      return;
    }
    state.chart = new uPlot(
      {
        width,
        height: 240,
        axes: [
          { stroke: '#8b949e', grid: { stroke: '#30363d' } },
          { stroke: '#8b949e', grid: { stroke: '#30363d' } },
        ],
        series: [
          {},
          {
            label: 'answered',
            stroke: '#3fb950',
            fill: 'rgba(63,185,80,0.6)',
            width: 1,
            paths: uPlot.paths.bars({ size: [0.4, 40], align: -1 }),
            points: { show: false },
          },
          {
            label: 'not answered',
            stroke: '#f85149',
            fill: 'rgba(248,81,73,0.6)',
            width: 1,
            paths: uPlot.paths.bars({ size: [0.4, 40], align: 1 }),
            points: { show: false },
          },
        ],
      },
      [x, answered, missed],
      container,
    );
  }

  // ── The live stream ───────────────────────────────────────────────────────
  let source = null;
  let retryTimer = null;
  // Refused streams in a row (the server restarting, or full: 503): each retry waits half as long again, up to a
  // minute, so that a room of wallboards does not hammer a server that is already full.
  let refusals = 0;

  function connect() {
    const query = new URLSearchParams();
    if (token) query.set('token', token);
    if (state.lastEventId) query.set('lastEventId', state.lastEventId);
    source = new EventSource(`/api/live?${query}`);
    source.addEventListener('open', () => {
      refusals = 0;
      $('banner').hidden = true;
    });
    source.addEventListener('error', () => {
      $('banner').hidden = false;
      // The browser retries by itself unless the stream was refused (e.g. while the server restarts).
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        clearTimeout(retryTimer);
        const delay = Math.min(60_000, 2000 * 1.5 ** refusals) * (0.75 + Math.random() / 2);
        refusals += 1;
        retryTimer = setTimeout(connect, delay);
      }
    });
    for (const type of ['snapshot', 'call', 'call-removed', 'stats', 'event', 'alerts']) {
      source.addEventListener(type, (message) => {
        if (message.lastEventId) state.lastEventId = message.lastEventId;
        if (type === 'event') return;
        const data = JSON.parse(message.data);
        if (type === 'snapshot') {
          state.clockOffset = data.generatedAt - Date.now();
          $('banner').hidden = true;
        }
        redraw(applyLiveMessage(state, type, data));
      });
    }
  }

  // What to redraw at the next frame: a burst of messages is drawn once.
  const dirty = { calls: false, figures: false };
  let frame = null;
  function redraw(what) {
    if (what === null) return;
    if (what === 'all' || what === 'alerts') renderAlerts();
    if (what === 'alerts') return;
    if (what === 'all' || what === 'calls') dirty.calls = true;
    if (what === 'all' || what === 'figures') dirty.figures = true;
    frame ??= requestAnimationFrame(() => {
      frame = null;
      if (dirty.calls) renderQueue();
      if (dirty.figures) renderFigures();
      else if (dirty.calls) renderAgents();
      dirty.calls = false;
      dirty.figures = false;
    });
  }

  // ── The last reconcile run (TeleCMI's history read for calls telehook missed) ──
  // Runs start every TELEHOOK_RECONCILE_EVERY (15 min by default): a look a minute is enough. Without backfill
  // there are no runs, and nothing is shown.
  async function renderReconcile() {
    const box = $('reconcile');
    let run;
    try {
      run = (await api('/api/reconcile/runs?limit=1')).items[0];
    } catch {
      return;
    }
    if (!run) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.dataset.status = run.status;
    const at = (iso) => time(Date.parse(iso));
    if (run.status === 'running') box.textContent = `History check running since ${at(run.startedAt)}`;
    else if (run.status === 'succeeded')
      box.textContent = `History checked ${at(run.finishedAt)}: ${run.callsAdded} ${run.callsAdded === 1 ? 'call' : 'calls'} recovered`;
    else {
      const error = run.errors[0];
      box.textContent = `History check failed ${at(run.finishedAt ?? run.startedAt)}: ${error ? `${error.code}: ${error.message}` : 'no reason given'}`;
    }
    box.title = `Window ${run.from} → ${run.to}; ${run.rowsFetched} rows read, ${run.eventsAdded} events added`;
  }

  tick();
  setInterval(tick, 1000);
  void renderReconcile();
  setInterval(() => void renderReconcile(), 60_000);
  window.addEventListener('resize', () => renderChart());
  connect();
})();
