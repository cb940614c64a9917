// The team's gallery: every delivered video the signed-in person may see, newest first. Text is set with
// textContent only, so nothing a person wrote becomes markup.

const $ = (id) => document.getElementById(id);

function banner(text) {
  $('banner').textContent = text ?? '';
  $('banner').hidden = !text;
}

const PLATFORMS = { discord: 'Discord', slack: 'Slack', telegram: 'Telegram', web: 'Web' };

function money(micros) {
  return micros === undefined || micros === null ? 'cost unknown' : `$${(micros / 1_000_000).toFixed(2)}`;
}

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function fillSelect(select, options) {
  const current = select.value;
  const first = select.options[0];
  select.replaceChildren(first);
  for (const [value, label] of options) select.append(el('option', { value, text: label }));
  select.value = options.some(([v]) => v === current) ? current : '';
}

function query() {
  const params = new URLSearchParams();
  const search = $('filter-search').value.trim();
  if (search) params.set('search', search);
  for (const [id, name] of [
    ['filter-platform', 'platform'],
    ['filter-person', 'person'],
    ['filter-channel', 'channel'],
  ]) {
    if ($(id).value) params.set(name, $(id).value);
  }
  if ($('filter-mine').checked) params.set('mine', '1');
  return params.toString();
}

function draw(item) {
  const li = el('li', { class: 'gallery-item', 'data-id': item.id });
  if (item.videoUrl) {
    li.append(el('video', { src: item.videoUrl, controls: '', preload: 'metadata', playsinline: '' }));
  }
  li.append(el('p', { class: 'prompt', text: item.prompt || '(no prompt)' }));
  const facts = [
    item.requesterName,
    PLATFORMS[item.platform] ?? item.platform,
    `${item.duration}s`,
    item.takes > 1 ? `${item.takes} takes` : '1 take',
    item.model,
    money(item.costMicros),
    new Date(item.createdAt).toLocaleString(),
  ];
  li.append(el('p', { class: 'muted facts', text: facts.join(' · ') }));
  const actions = el('p', { class: 'gallery-actions' });
  if (item.threadUrl) actions.append(el('a', { href: item.threadUrl, text: 'Open its thread', rel: 'noopener' }));
  for (const link of item.links ?? []) actions.append(' ', el('a', { href: link, text: 'Download', rel: 'noopener' }));
  if (item.mayRemove) {
    const remove = el('button', { type: 'button', class: 'remove', text: 'Remove' });
    remove.addEventListener('click', async () => {
      if (!confirm('Remove this video from the gallery (and the bot’s stored copy)?')) return;
      remove.disabled = true;
      const res = await fetch(`/web/api/gallery/${encodeURIComponent(item.id)}`, {
        method: 'DELETE',
        credentials: 'same-origin',
      });
      if (res.ok) li.remove();
      else {
        remove.disabled = false;
        banner('Could not remove it; try again.');
      }
    });
    actions.append(' ', remove);
  }
  li.append(actions);
  return li;
}

async function load() {
  const res = await fetch(`/web/api/gallery?${query()}`, { credentials: 'same-origin' });
  if (res.status === 401) {
    banner('Sign in first.');
    location.assign('/');
    return;
  }
  if (!res.ok) {
    banner('Could not read the gallery; reload to try again.');
    return;
  }
  const body = await res.json();
  banner(null);
  $('gallery').hidden = false;
  fillSelect($('filter-person'), body.people);
  fillSelect($('filter-channel'), body.channels);
  $('gallery-note').textContent =
    body.visibility === 'team' || body.admin
      ? `Every video the bot delivered in the last ${body.retentionDays} days.`
      : `Your videos of the last ${body.retentionDays} days (admins see the team’s).`;
  $('gallery-items').replaceChildren(...body.items.map(draw));
  if (body.items.length === 0) $('gallery-items').append(el('li', { class: 'muted', text: 'No videos here.' }));
}

$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  load();
});

load();
