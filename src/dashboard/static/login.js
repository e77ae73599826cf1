// The sign-in page: posts the name and password to /api/session (which sets the HttpOnly session cookie), then
// goes back to the page the visitor was sent here from.
'use strict';

(() => {
  const form = document.getElementById('login');
  const error = document.getElementById('error');
  const submit = document.getElementById('submit');

  /** Only a path of this site: `?next=//elsewhere.example` must not send a person away. */
  function nextPage() {
    const next = new URLSearchParams(location.search).get('next') ?? '/';
    return /^\/(?![/\\])/.test(next) ? next : '/';
  }

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  form.addEventListener('submit', async (submitEvent) => {
    submitEvent.preventDefault();
    const name = form.elements.name.value.trim();
    const password = form.elements.password.value;
    if (name === '' || password === '') {
      showError('Enter your name and password.');
      (name === '' ? form.elements.name : form.elements.password).focus();
      return;
    }
    submit.disabled = true;
    error.hidden = true;
    try {
      const response = await fetch('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, password }),
      });
      if (response.ok) {
        location.assign(nextPage());
        return;
      }
      const body = await response.json().catch(() => null);
      showError(body?.error?.message ?? `Sign-in failed (HTTP ${response.status}).`);
      form.elements.password.value = '';
      form.elements.password.focus();
    } catch {
      showError('The server cannot be reached; try again in a moment.');
    } finally {
      submit.disabled = false;
    }
  });
})();
