// A call's page: its summary, agents, files and every event in TeleCMI time order with its raw body.
'use strict';
(() => {
  const { api, el, row, duration, shortName, phone, time, token } = window.telehook;
  const $ = (id) => document.getElementById(id);
  const key = decodeURIComponent(location.pathname.split('/').pop() ?? '');
  $('call-key').textContent = key;

  function summary(call) {
    const fields = [
      ['Direction', call.direction],
      ['From', phone(call.from)],
      ['To', phone(call.to)],
      ['State', call.state],
      ['Outcome', call.outcome ?? 'live'],
      ['Started', time(call.startedAt, true)],
      ['Answered', time(call.answeredAt, true)],
      ['Ended', time(call.endedAt, true)],
      ['Waited', duration(call.waitedSec)],
      ['Talked', duration(call.talkSec)],
      ['Team', shortName(call.team)],
      ['IVR', call.ivr ?? '—'],
      ['Answered by', shortName(call.answeredBy)],
      ['Placed by', shortName(call.placedBy)],
      ['Hangup reason', call.hangupReason ?? '—'],
      ['Recording', call.recording ?? '—'],
      ['Voicemail', call.voicemail ?? '—'],
      ['Custom', call.custom === null || call.custom === undefined ? '—' : JSON.stringify(call.custom)],
      ['Events', call.eventCount],
    ];
    $('summary').replaceChildren(
      ...fields.flatMap(([name, value]) => [el('dt', name), el('dd', value ?? '—')]),
    );
  }

  // The audio element sends no header, so the token goes in the URL (as for the page itself). A one-byte probe
  // first shows why a file cannot play (no TeleCMI credentials, the viewer token, TeleCMI failing) in words.
  async function player(call, kind) {
    const file = call[kind];
    if (!file) return null;
    const url = `/api/calls/${encodeURIComponent(call.key)}/${kind}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    const box = el('div', null, 'player');
    box.append(el('h3', kind === 'recording' ? 'Recording' : 'Voicemail'));
    const probe = await fetch(url, { headers: { range: 'bytes=0-0' } });
    if (!probe.ok) {
      const body = await probe.json().catch(() => null);
      box.append(el('p', body?.error?.message ?? `HTTP ${probe.status}`, 'error'));
      return box;
    }
    await probe.body?.cancel();
    box.append(el('audio', null, null, { id: `${kind}-audio`, controls: '', preload: 'metadata', src: url }));
    return box;
  }

  async function load() {
    try {
      const call = await api(`/api/calls/${encodeURIComponent(key)}`);
      document.title = `telehook — call from ${phone(call.from)}`;
      summary(call);
      // A call telehook knows only from TeleCMI's REST history: no webhook of it arrived.
      if (call.closedBy === 'backfill') {
        const rows = call.timeline.filter((event) => event.source === 'backfill');
        const at = rows.length === 0 ? null : Math.min(...rows.map((event) => event.receivedAt));
        const when = at === null ? '' : ` on ${time(at, true)}`;
        $('recovered').textContent =
          rows.length === call.timeline.length
            ? `Recovered from TeleCMI's history${when}: no webhook of this call reached telehook, so what TeleCMI's call list does not say (the wait, the agents rung, the hangup reason) is unknown.`
            : `Completed from TeleCMI's history${when}: its CDR never reached telehook, and was read from TeleCMI's call list.`;
        $('recovered').hidden = false;
      }
      const players = (await Promise.all([player(call, 'recording'), player(call, 'voicemail')])).filter(
        Boolean,
      );
      $('players').replaceChildren(...players);
      $('files').hidden = players.length === 0;
      $('agents').replaceChildren(
        ...call.agents.map((leg) =>
          row([
            shortName(leg.agent),
            shortName(leg.team),
            time(leg.rangAt),
            leg.answered ? time(leg.answeredAt) : 'no',
            time(leg.endedAt),
            leg.hangupReason ?? '—',
          ]),
        ),
      );
      $('timeline').replaceChildren(
        ...call.timeline.map((event) => {
          const raw = el('td', null, 'raw');
          raw.append(el('pre', event.raw));
          const tr = row([
            time(event.occurredAt, true),
            event.source === 'backfill' ? `${event.kind} (TeleCMI history)` : event.kind,
            event.status ?? '—',
            event.leg ?? '—',
            shortName(event.agent),
          ]);
          tr.append(raw);
          return tr;
        }),
      );
    } catch (error) {
      $('error').hidden = false;
      $('error').textContent = `Could not load the call: ${error.message}`;
    }
  }
  void load();
})();
