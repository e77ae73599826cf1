// The People page: admins list, add, change and remove the people who sign in, through /api/users. The server
// decides who may: this page only hides what would be refused, and shows the server's reasons as they come.
'use strict';

(() => {
  const { person, api, el, row, time } = window.telehook;
  const $ = (id) => document.getElementById(id);
  const ROLES = ['viewer', 'supervisor', 'admin'];
  let me = null;

  function showError(message) {
    $('error').textContent = message;
    $('error').hidden = message === '';
    if (message !== '') $('notice').textContent = '';
  }

  function showNotice(message) {
    showError('');
    $('notice').textContent = message;
  }

  function showForbidden() {
    $('forbidden').hidden = false;
    $('people-panel').hidden = true;
    $('add-panel').hidden = true;
    showError('');
  }

  /**
   * Runs one change; on success says so and lists everyone again, on failure shows why (the server's words), and
   * with `isListedAgain` lists everyone again too, so that a refused role change shows the role still held.
   */
  async function change(what, request, done, isListedAgain = false) {
    try {
      await request();
    } catch (error) {
      if (error.status === 403) return showForbidden();
      showError(`Could not ${what}: ${error.message}`);
      if (isListedAgain) await refresh();
      return false;
    }
    showNotice(done);
    await refresh();
    return true;
  }

  function roleCell(user) {
    const cell = el('div', null, 'role');
    const id = `role-${user.name}`;
    const select = el('select', null, null, { id, 'aria-label': `Role of ${user.name}` });
    for (const role of ROLES) {
      const option = el('option', role, null, { value: role });
      option.selected = role === user.role;
      select.append(option);
    }
    const save = el('button', 'Change role', null, { type: 'button', disabled: '' });
    select.addEventListener('change', () => (save.disabled = select.value === user.role));
    save.addEventListener('click', () =>
      change(
        `change the role of ${user.name}`,
        () =>
          api(`/api/users/${encodeURIComponent(user.name)}`, {
            method: 'PATCH',
            body: { role: select.value },
          }),
        `${user.name} is now ${select.value}.`,
        true,
      ),
    );
    cell.append(select, save);
    return cell;
  }

  /** Puts `content` in the actions cell in place of the buttons; Escape or Cancel puts the buttons back. */
  function replaceActions(cell, user, content, focus) {
    const cancel = el('button', 'Cancel', null, { type: 'button' });
    const restore = () => {
      cell.replaceChildren(...actionButtons(cell, user));
      cell.querySelector('button')?.focus();
    };
    cancel.addEventListener('click', restore);
    content.addEventListener('keydown', (keyEvent) => {
      if (keyEvent.key === 'Escape') restore();
    });
    content.append(cancel);
    cell.replaceChildren(content);
    (focus === 'cancel' ? cancel : content.querySelector('input,button')).focus();
  }

  function passwordForm(cell, user) {
    const form = el('form', null, 'form inline-form', { novalidate: '' });
    const id = `password-${user.name}`;
    const input = el('input', null, null, {
      id,
      type: 'password',
      autocomplete: 'new-password',
      required: '',
    });
    const save = el('button', 'Save password', null, { type: 'submit' });
    form.append(el('label', `New password for ${user.name}`, null, { for: id }), input, save);
    form.addEventListener('submit', async (submitEvent) => {
      submitEvent.preventDefault();
      if (input.value === '') {
        showError('Type the new password first.');
        input.focus();
        return;
      }
      save.disabled = true;
      const isDone = await change(
        `set the password of ${user.name}`,
        () =>
          api(`/api/users/${encodeURIComponent(user.name)}`, {
            method: 'PATCH',
            body: { password: input.value },
          }),
        `New password set for ${user.name}; their open sessions have ended.`,
      );
      if (isDone === false) {
        save.disabled = false;
        input.focus();
      }
    });
    replaceActions(cell, user, form);
  }

  function removeConfirmation(cell, user) {
    const box = el('div', null, 'confirm', { role: 'group', 'aria-label': `Remove ${user.name}?` });
    const question =
      user.name === me?.name
        ? `Remove yourself (${user.name})? You will be signed out.`
        : `Remove ${user.name}? They are signed out at once.`;
    const remove = el('button', `Remove ${user.name}`, 'danger', { type: 'button' });
    remove.addEventListener('click', async () => {
      remove.disabled = true;
      // Either way the list is read again, which puts the row's buttons back (or removes the row).
      await change(
        `remove ${user.name}`,
        () => api(`/api/users/${encodeURIComponent(user.name)}`, { method: 'DELETE' }),
        `${user.name} removed.`,
        true,
      );
    });
    box.append(el('span', question), remove);
    replaceActions(cell, user, box, 'cancel');
  }

  function actionButtons(cell, user) {
    const password = el('button', 'Set password', null, { type: 'button' });
    password.addEventListener('click', () => passwordForm(cell, user));
    const remove = el('button', 'Remove', null, { type: 'button' });
    remove.addEventListener('click', () => removeConfirmation(cell, user));
    return [password, remove];
  }

  function render(users) {
    $('people').replaceChildren(
      ...users.map((user) => {
        const name = el('span', user.name, 'name');
        if (user.name === me?.name) name.append(el('span', ' (you)', 'muted'));
        const actions = el('div', null, 'actions');
        actions.append(...actionButtons(actions, user));
        const tr = row(
          [name, roleCell(user), time(user.createdAt, true), time(user.updatedAt, true), actions],
          { 'data-name': user.name },
        );
        // On a phone the cells stack without the table's head: each says what it is (people.css).
        for (const [index, label] of ['Name', 'Role', 'Added', 'Last change', ''].entries())
          if (label) tr.children[index].dataset.label = label;
        return tr;
      }),
    );
    $('empty').hidden = users.length > 0;
    $('people-panel').hidden = false;
    $('add-panel').hidden = false;
  }

  async function refresh() {
    try {
      render((await api('/api/users')).items);
    } catch (error) {
      if (error.status === 403) showForbidden();
      else showError(error.message);
    }
  }

  $('add').addEventListener('submit', async (submitEvent) => {
    submitEvent.preventDefault();
    const form = $('add');
    const name = form.elements.name.value.trim();
    const role = form.elements.role.value;
    const password = form.elements.password.value;
    if (name === '' || password === '') {
      showError('Give the new person a name and a password.');
      (name === '' ? form.elements.name : form.elements.password).focus();
      return;
    }
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    const isDone = await change(
      `add ${name}`,
      () => api('/api/users', { method: 'POST', body: { name, role, password } }),
      `${name} added as ${role}.`,
    );
    submit.disabled = false;
    if (isDone) form.reset();
  });

  void (async () => {
    me = await person;
    // A signed-in viewer or supervisor is told at once; a token's page (a script's) lets the server decide.
    if (me && me.role !== 'admin') return showForbidden();
    await refresh();
  })();
})();
