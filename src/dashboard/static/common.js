// Shared by the wallboard and the call page. Everything that comes from outside (numbers, team and agent names,
// IVR names, custom fields, raw bodies) is written with textContent, never as HTML.
'use strict';

/** The token from the page URL (?token=…): the viewer token on a TV, or the API token. */
const token = new URLSearchParams(location.search).get('token') ?? '';

/**
 * Calls an API route with the token (or the session cookie): GET by default, or `options.method` with
 * `options.body` as JSON. Resolves to the answer's JSON (null for 204); throws an Error with the server's message,
 * and its `code` and `status`, on an error answer.
 */
async function api(path, options = {}) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  // A session that ended while the page was open (signed out elsewhere, expired): sign in again, then come back.
  if (response.status === 401 && !token) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok)
    throw Object.assign(new Error(body?.error?.message ?? `HTTP ${response.status}`), {
      code: body?.error?.code,
      status: response.status,
    });
  return body;
}

/** Creates an element with text content (never HTML) and optional class and attributes. */
function el(tag, text, className, attributes) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  if (attributes)
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/** A table row of cells; each cell is text, or a node. */
function row(cells, attributes) {
  const tr = el('tr', null, null, attributes);
  for (const cell of cells) {
    const td = el('td');
    if (cell instanceof Node) td.append(cell);
    else if (cell !== undefined && cell !== null) td.textContent = String(cell);
    tr.append(td);
  }
  return tr;
}

/** Seconds as m:ss or h:mm:ss. */
function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** TeleCMI names carry the app id ("Sales_2222223"); people read "Sales". */
function shortName(name) {
  if (!name) return '—';
  return String(name).replace(/_\d{5,}$/, '');
}

/** A phone number as digits with a +, when it is digits. */
function phone(number) {
  if (!number) return 'unknown';
  return /^\d{8,15}$/.test(number) ? `+${number}` : String(number);
}

function percent(value) {
  return value === null || value === undefined ? '—' : `${Math.round(value * 100)}%`;
}

function time(ms, withDate) {
  if (!ms) return '—';
  const date = new Date(ms);
  return withDate ? date.toLocaleString() : date.toLocaleTimeString();
}

/** A path of this server with the page's token added (pages and downloads read it from their URL). */
function withToken(path) {
  if (!token) return path;
  return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

/** The pages every page's navigation links to, in this order; People is added for admins (linkPeoplePage). */
const PAGES = [
  { path: '/', text: 'Wallboard' },
  { path: '/calls', text: 'Calls' },
  { path: '/followups', text: 'Follow-ups' },
  { path: '/reports', text: 'Reports' },
];

/** Fills the page's navigation (`nav[data-pages]`, one place for every page), carrying the token. */
function renderPagesNav() {
  const nav = document.querySelector('nav[data-pages]');
  if (!nav) return;
  for (const page of PAGES) {
    const link = el('a', page.text, null, { href: withToken(page.path) });
    if (location.pathname === page.path) link.setAttribute('aria-current', 'page');
    nav.append(' ', link);
  }
}
renderPagesNav();

/** A link to a call's page, carrying the token. */
function callLink(key, text) {
  const link = el('a', text);
  link.href = `/calls/${encodeURIComponent(key)}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return link;
}

/**
 * Adds "People" (/users, where admins manage who signs in) to the page's navigation. Only admins get the link:
 * the page and /api/users refuse everyone else anyway, so to others it would be a dead end.
 */
function linkPeoplePage() {
  const nav = document.querySelector('nav[data-pages]');
  if (!nav || document.getElementById('people-link')) return;
  const link = el('a', 'People', null, { id: 'people-link', href: '/users' });
  if (location.pathname === '/users') link.setAttribute('aria-current', 'page');
  nav.append(' ', link);
}

/**
 * On a page opened by a signed-in person (no token in its URL): their name and role, and a button to sign out, in
 * the page's header. Resolves to the person, or null (a token's page, or nobody signed in).
 */
async function showSignedIn() {
  if (token) return null;
  const response = await fetch('/api/session');
  if (!response.ok) return null;
  const { user } = await response.json();
  const place = document.querySelector('.top-right') ?? document.querySelector('header');
  if (place) {
    const box = el('span', null, 'signed-in');
    box.append(el('span', `${user.name} (${user.role})`, 'muted'));
    const button = el('button', 'Sign out', null, { type: 'button' });
    button.addEventListener('click', async () => {
      await fetch('/api/session', { method: 'DELETE' });
      location.assign('/login');
    });
    box.append(button);
    if (user.role === 'admin') linkPeoplePage();
    place.append(box);
  }
  return user;
}

/** Who is signed in (null on a token's page). */
const person = showSignedIn().catch(() => null);

window.telehook = {
  token,
  person,
  api,
  el,
  row,
  duration,
  shortName,
  phone,
  percent,
  time,
  callLink,
  withToken,
};
