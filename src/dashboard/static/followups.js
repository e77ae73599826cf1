// The follow-up list: one row per caller to call back. It fetches /api/followups again whenever the live stream
// says a call ended or an entry was marked handled, so that entries appear and clear without a reload.
'use strict';

(() => {
  const { token, person, api, el, row, phone, time, shortName, callLink } = window.telehook;
  const $ = (id) => document.getElementById(id);
  const status = new URLSearchParams(location.search).get('status') === 'done' ? 'done' : 'open';
  const withToken = (path) =>
    token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path;
  $('tab-open').href = withToken('/followups');
  $('tab-done').href = withToken('/followups?status=done');
  $(`tab-${status}`).setAttribute('aria-current', 'page');
  $('last-column').textContent = status === 'open' ? 'To do' : 'Cleared';
  let mayMark = false;

  function showError(message) {
    $('error').textContent = message;
    $('error').hidden = message === '';
  }

  function outcomes(entry) {
    const counts = {};
    for (const call of entry.calls) counts[call.outcome] = (counts[call.outcome] ?? 0) + 1;
    return `${entry.count}: ${Object.entries(counts)
      .map(([outcome, n]) => `${n} ${outcome}`)
      .join(', ')}`;
  }

  function attempts(entry) {
    if (entry.attempts.length === 0) return 'none';
    const list = el('ul', null, 'attempts');
    for (const attempt of entry.attempts) {
      const item = el('li');
      item.append(
        callLink(attempt.key, time(attempt.at, true)),
        ` ${shortName(attempt.by)} — ${attempt.answered ? 'reached' : 'not reached'}`,
      );
      list.append(item);
    }
    return list;
  }

  function cleared(entry) {
    const clearing = entry.clearedBy;
    if (!clearing) return '—';
    const when = time(clearing.at, true);
    if (clearing.how === 'called-back')
      return `Called back and reached by ${shortName(clearing.by)}, ${when}`;
    if (clearing.how === 'called-again')
      return `Called again and answered by ${shortName(clearing.by)}, ${when}`;
    return `Handled by ${clearing.by}, ${when}: ${clearing.note}`;
  }

  /** The "Mark handled" button, which opens a small form for the note. */
  function markCell(entry) {
    if (!mayMark) return 'Call back';
    const cell = el('div', null, 'mark');
    const open = el('button', 'Mark handled', null, { type: 'button', 'data-number': entry.number });
    open.addEventListener('click', () => {
      const form = el('form', null, 'form mark-form');
      const id = `note-${entry.number}`;
      const label = el('label', 'Note', null, { for: id });
      const note = el('textarea', null, null, { id, rows: 2, maxlength: 1000, required: '' });
      const save = el('button', 'Save', null, { type: 'submit' });
      form.append(label, note, save);
      form.addEventListener('submit', async (submitEvent) => {
        submitEvent.preventDefault();
        if (note.value.trim() === '') {
          showError('Write a note saying what was done.');
          note.focus();
          return;
        }
        save.disabled = true;
        const response = await fetch(`/api/followups/${encodeURIComponent(entry.number)}/handled`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ note: note.value }),
        });
        const body = await response.json().catch(() => null);
        save.disabled = false;
        showError(response.ok ? '' : (body?.error?.message ?? `HTTP ${response.status}`));
        form.remove();
        again = false;
        void refresh();
      });
      cell.replaceChildren(form);
      note.focus();
    });
    cell.append(open);
    return cell;
  }

  function render(entries) {
    const body = $('entries');
    body.replaceChildren(
      ...entries.map((entry) =>
        row(
          [
            phone(entry.number),
            shortName(entry.team),
            outcomes(entry),
            callLink(entry.first.key, time(entry.first.at, true)),
            callLink(entry.last.key, time(entry.last.at, true)),
            attempts(entry),
            status === 'open' ? markCell(entry) : cleared(entry),
          ],
          { 'data-number': entry.number },
        ),
      ),
    );
    $('empty').hidden = entries.length > 0;
    $('empty').textContent =
      status === 'open' ? 'Nobody to call back.' : 'Nothing cleared in the last 7 days.';
    $('summary').textContent =
      status === 'open'
        ? `${entries.length} caller${entries.length === 1 ? '' : 's'} to call back (last 7 days).`
        : `${entries.length} cleared (last 7 days).`;
  }

  let running = null;
  let again = false;
  async function refresh() {
    // A note being written is not wiped by a change elsewhere: the list is fetched again once it is saved.
    if (document.querySelector('.mark-form')) {
      again = true;
      return;
    }
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        const { items } = await api(`/api/followups?status=${status}`);
        render(items);
      } catch (error) {
        showError(error.message);
      }
    })();
    await running;
    running = null;
    if (again) {
      again = false;
      await refresh();
    }
  }

  let timer = null;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 200);
  };

  function listen() {
    const source = new EventSource(withToken('/api/live'));
    source.addEventListener('call', (message) => {
      const call = JSON.parse(message.data);
      if (call.state === 'ended') soon();
    });
    source.addEventListener('followup', soon);
    // A reconnect may have missed changes.
    source.addEventListener('snapshot', soon);
  }

  void (async () => {
    const who = await person;
    // A viewer may not mark anything handled; a token's page (a script's or a TV's) lets the server decide.
    mayMark = who ? who.role !== 'viewer' : Boolean(token);
    await refresh();
    listen();
  })();
})();
