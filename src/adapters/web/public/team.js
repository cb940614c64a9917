// Admins' page: personal invite links (create, revoke) and the signed-in sessions (revoke). Text is set
// with textContent only.

import { api } from './api.js';

const $ = (id) => document.getElementById(id);

function banner(text) {
  $('banner').textContent = text ?? '';
  $('banner').hidden = !text;
}

function row(text, onRevoke) {
  const li = document.createElement('li');
  li.append(text, ' ');
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Revoke';
  button.addEventListener('click', async () => {
    button.disabled = true;
    await onRevoke();
    await load();
  });
  li.append(button);
  return li;
}

async function load() {
  const [invites, sessions] = await Promise.all([api('/web/api/admin/invites'), api('/web/api/admin/sessions')]);
  if (invites.status === 401) {
    location.assign('/');
    return;
  }
  if (invites.status !== 200 || sessions.status !== 200) {
    banner(invites.body?.message ?? 'Only the bot’s admins (ADMIN_USER_IDS) can see this page.');
    return;
  }
  banner(null);
  $('team').hidden = false;
  $('invites').replaceChildren(
    ...invites.body.invites.map((invite) =>
      row(`${invite.name} (web:i-${invite.id})`, () =>
        api(`/web/api/admin/invites/${encodeURIComponent(invite.id)}`, { method: 'DELETE' }),
      ),
    ),
  );
  $('sessions').replaceChildren(
    ...sessions.body.sessions.map((session) =>
      row(
        `${session.displayName} (${session.platform}:${session.userId}, via ${session.via}, until ${new Date(session.expiresAt).toLocaleString()})`,
        () => api(`/web/api/admin/sessions/${encodeURIComponent(session.handle)}`, { method: 'DELETE' }),
      ),
    ),
  );
}

$('invite-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const { status, body } = await api('/web/api/admin/invites', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: $('invite-name').value }),
  });
  if (status !== 201) {
    $('invite-link').textContent = body?.message ?? 'Could not create the invite.';
    return;
  }
  $('invite-name').value = '';
  // Shown once: the bot keeps only a hash of it. Send it to the person privately.
  $('invite-link').textContent = body.link;
  await load();
});

load();
