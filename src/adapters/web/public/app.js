// The playground page: the channel, the composer for /animate, the thread panel and the reaction chips.
// Plain ES modules, no build step and no dependencies. Everything the bot says comes from the server
// (core's renderer, src/adapters/web/render.ts); this file only lays it out and sends what people do.
import { api } from './api.js';
import { plainText, renderMarkup } from './markup.js';

const $ = (id) => document.getElementById(id);
const ACTION_TITLES = {
  '🔁': 'Run it again',
  '❌': 'Cancel',
  '⏩': 'Extend: continue from the last frame',
  '1️⃣': 'Extend take 1',
  '2️⃣': 'Extend take 2',
  '3️⃣': 'Extend take 3',
  '4️⃣': 'Extend take 4',
};

const state = {
  me: null,
  channel: null,
  /** Every message seen, channel and threads, by id. */
  messages: new Map(),
  names: { bot: 'animate' },
  openThread: null,
  events: null,
  startImage: null,
  /** The video being remixed (🔀): its message id, and whether its images are kept. */
  remix: null,
  /** The channel's defaults, which the composer starts from. */
  defaults: {},
  /** The models on offer, as `/web/api/state` lists them. */
  models: [],
};

/** A random id for one submit or click: the same request sent twice is one event. */
function eventId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function banner(text) {
  const el = $('banner');
  el.textContent = text ?? '';
  el.hidden = !text;
}

// --- signing in -------------------------------------------------------------------------------------

async function boot() {
  const session = await fetch('/web/api/session', { credentials: 'same-origin' });
  if (session.status === 200) return signedIn((await session.json()).me);
  if (session.status === 403) {
    banner(await session.text());
    return;
  }
  const body = await session.json().catch(() => ({}));
  const methods = Array.isArray(body.methods) ? body.methods : [];
  if (methods.length === 0) {
    // This machine's own user: a name is all it takes, and it can be changed any time.
    const name = localStorage.getItem('animate-name') ?? `Guest ${Math.floor(1000 + Math.random() * 9000)}`;
    const { status, body: answer } = await api('/web/api/session', jsonBody({ displayName: name }));
    if (status === 200) return signedIn(answer.me);
  }
  showSignIn(methods);
}

function jsonBody(data) {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) };
}

function showSignIn(methods) {
  state.events?.close();
  $('app').hidden = true;
  $('me').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-discord').hidden = !methods.includes('discord');
  $('sign-in-slack').hidden = !methods.includes('slack');
  $('sign-in-invite').hidden = !methods.includes('invite');
}

$('rename').addEventListener('click', async () => {
  const displayName = prompt('Your name, as others see it:', state.me?.displayName ?? '');
  if (!displayName) return;
  const { status, body } = await api('/web/api/session', jsonBody({ displayName }));
  if (status === 200) showMe(body.me);
  else banner(body?.message ?? 'Could not rename.');
});

$('sign-out').addEventListener('click', async () => {
  await api('/web/api/session/sign-out', { method: 'POST' });
  localStorage.removeItem('animate-name');
  location.reload();
});

function showMe(me) {
  state.me = me;
  state.names[me.userId] = me.displayName;
  localStorage.setItem('animate-name', me.displayName);
  $('me-name').textContent = me.displayName;
  $('me-key').textContent = me.key;
  $('me-admin').hidden = !me.admin;
  $('team-link').hidden = !me.admin;
  $('me').hidden = false;
}

function signedIn(me) {
  showMe(me);
  $('sign-in').hidden = true;
  $('app').hidden = false;
  connect();
}

// --- live updates -----------------------------------------------------------------------------------

function connect() {
  state.events?.close();
  const events = new EventSource('/web/api/events');
  state.events = events;
  // On every (re)connection: read the state again, so nothing written meanwhile is missed.
  events.addEventListener('ready', () => {
    banner(null);
    loadState().catch(() => banner('Could not read the channel; retrying…'));
  });
  events.addEventListener('message', (event) => {
    const { message, names } = JSON.parse(event.data);
    upsert([message], names);
  });
  events.addEventListener('error', () => {
    if (events.readyState === EventSource.CLOSED) {
      // Refused (signed out, or the bot forgot the session): start over.
      setTimeout(() => boot(), 2000);
    } else {
      banner('Reconnecting to the bot…');
    }
  });
}

async function loadState() {
  const { status, body } = await api('/web/api/state');
  if (status === 401) return boot();
  if (status !== 200) throw new Error(`state: ${status}`);
  showMe(body.me);
  state.channel = body.channel;
  $('channel-name').textContent = `# ${body.channel?.name ?? 'playground'}`;
  $('composer-takes').max = String(body.maxTakes ?? 4);
  showModels(body.models ?? [], body.shapes ?? []);
  upsert(body.messages, body.names);
  showDefaults(body.defaults ?? {});
  if (state.openThread) await loadThread(state.openThread);
  else if (/^#thread=[A-Za-z0-9_-]+$/.test(location.hash)) {
    // A link from the gallery to the thread a video was posted in.
    await openThread(location.hash.slice('#thread='.length));
  }
}

/** Puts `items` ({ value, label }) in a select, keeping its choice where it is still offered. */
function fillSelect(select, items) {
  const chosen = select.value;
  select.replaceChildren(
    ...items.map((item) => {
      const option = document.createElement('option');
      option.value = item.value;
      option.textContent = item.label;
      return option;
    }),
  );
  if (items.some((item) => item.value === chosen)) select.value = chosen;
}

/**
 * The composer's model, duration, sound and shape controls from the bot's live catalogue: the durations
 * offered and whether sound can be asked for follow the chosen model.
 */
function showModels(models, shapes) {
  state.models = models;
  fillSelect(
    $('composer-model'),
    models.map((m) => ({ value: m.id, label: m.label })),
  );
  fillSelect($('composer-shape'), shapes);
  showModelOptions();
  // The defaults form offers the same models, shapes and every length any model takes.
  const notSet = () => {
    const option = document.createElement('option');
    option.value = '';
    option.textContent = 'not set';
    return option;
  };
  const optionOf = (value, text) => {
    const option = document.createElement('option');
    option.value = String(value);
    option.textContent = text;
    return option;
  };
  $('defaults-model').replaceChildren(notSet(), ...models.map((m) => optionOf(m.id, m.label)));
  $('defaults-shape').replaceChildren(notSet(), ...shapes.map((s) => optionOf(s.value, s.label)));
  const lengths = [...new Set(models.flatMap((m) => m.durations))].sort((a, b) => a - b);
  $('defaults-duration').replaceChildren(notSet(), ...lengths.map((d) => optionOf(d, `${d} s`)));
}

function showModelOptions() {
  const model = (state.models ?? []).find((m) => m.id === $('composer-model').value);
  if (!model) return;
  const duration = $('composer-duration');
  const before = Number(duration.value);
  duration.replaceChildren(
    ...model.durations.map((d) => {
      const option = document.createElement('option');
      option.value = String(d);
      option.textContent = `${d} s`;
      return option;
    }),
  );
  duration.value = String(model.durations.includes(before) ? before : model.defaultDuration);
  const sound = $('composer-sound');
  sound.disabled = !model.sound;
  if (!model.sound) sound.checked = false;
}

async function loadThread(id) {
  const { status, body } = await api(`/web/api/threads/${encodeURIComponent(id)}`);
  if (status !== 200) return;
  $('thread-title').textContent = body.thread.name;
  upsert(body.messages, body.names);
}

/** Keeps the newest copy of each message and redraws what changed. */
function upsert(messages, names) {
  Object.assign(state.names, names ?? {});
  for (const message of messages) {
    const known = state.messages.get(message.id);
    if (known && known.version > message.version) continue;
    state.messages.set(message.id, message);
    place(message);
  }
}

// --- drawing ------------------------------------------------------------------------------------------

const byId = (a, b) => Number(a.id) - Number(b.id);

/** Puts a message where it belongs (the channel, the open thread, or both for the thread's anchor). */
function place(message) {
  if (message.threadId === null) drawInto($('channel-messages'), message, 'channel');
  if (state.openThread && (message.threadId === state.openThread || message.id === state.openThread)) {
    drawInto($('thread-messages'), message, 'thread');
  }
}

function drawInto(list, message, where) {
  const key = `${where}-${message.id}`;
  let item = list.querySelector(`[data-key="${key}"]`);
  const stuckToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  if (!item) {
    item = document.createElement('li');
    item.dataset.key = key;
    item.dataset.id = message.id;
    item.className = 'message';
    const after = [...list.children].find((li) => Number(li.dataset.id) > Number(message.id));
    list.insertBefore(item, after ?? null);
  }
  drawMessage(item, message, where);
  if (stuckToBottom) list.scrollTop = list.scrollHeight;
}

function part(item, name, tag = 'div') {
  let el = item.querySelector(`:scope > .${name}`);
  if (!el) {
    el = document.createElement(tag);
    el.className = name;
    item.append(el);
  }
  return el;
}

// The same cut as src/core/text-cut.ts (this page cannot import it): whole graphemes, so an emoji is
// never split into a lone surrogate a screen reader reads as garbage.
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
function cutGraphemes(text, maxUnits) {
  if (text.length <= maxUnits) return text;
  let end = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    if (index + segment.length > maxUnits) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

function drawMessage(item, message, where) {
  item.dataset.kind = message.kind;
  item.setAttribute(
    'aria-label',
    `${message.author.displayName}: ${cutGraphemes(plainText(message.text, state.names), 120)}`,
  );

  const head = part(item, 'head');
  head.replaceChildren();
  const author = document.createElement('span');
  author.className = 'author';
  author.textContent = message.author.kind === 'bot' ? '🎬 animate' : message.author.displayName;
  head.append(author);
  if (message.invokedBy) {
    const used = document.createElement('span');
    used.className = 'invoked';
    used.textContent = `${state.names[message.invokedBy.userId] ?? message.invokedBy.displayName} used /animate`;
    head.append(used);
  }
  const time = document.createElement('time');
  time.dateTime = new Date(message.createdAt).toISOString();
  time.textContent = new Date(message.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  head.append(time);
  if (message.editedAt) {
    const edited = document.createElement('span');
    edited.className = 'edited';
    edited.textContent = '(edited)';
    head.append(edited);
  }

  part(item, 'text').replaceChildren(renderMarkup(message.text, state.names));
  drawMedia(part(item, 'media'), message);
  drawChips(part(item, 'chips'), message);
  const link = part(item, 'thread-link');
  link.replaceChildren();
  if (message.thread && where === 'channel') {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'open-thread';
    button.textContent = `🧵 ${message.thread.name} · ${message.thread.replies} ${message.thread.replies === 1 ? 'message' : 'messages'}`;
    button.addEventListener('click', () => openThread(message.id));
    link.append(button);
  }
  part(item, 'note');
}

/** Videos and the request's image; kept as they are when unchanged, so a playing video plays on. */
function drawMedia(media, message) {
  const files = [...(message.image ? [message.image] : []), ...message.videos];
  const signature = files.map((f) => f.id).join(',');
  if (media.dataset.files === signature) return;
  media.dataset.files = signature;
  media.replaceChildren();
  if (message.image) {
    const img = document.createElement('img');
    img.src = message.image.url;
    img.alt = 'The image this animation starts from';
    img.className = 'input-image';
    img.loading = 'lazy';
    media.append(img);
  }
  message.videos.forEach((video, i) => {
    const figure = document.createElement('figure');
    const el = document.createElement('video');
    el.controls = true;
    el.preload = 'metadata';
    el.playsInline = true;
    el.src = video.url;
    el.setAttribute('aria-label', message.videos.length > 1 ? `Take ${i + 1}` : 'The video');
    figure.append(el);
    if (message.videos.length > 1) {
      const caption = document.createElement('figcaption');
      caption.textContent = `Take ${i + 1}`;
      figure.append(caption);
    }
    media.append(figure);
  });
}

function drawChips(chips, message) {
  chips.replaceChildren();
  // 🔀 opens a form, which a reaction cannot: a button of its own on every video of the bot.
  if (message.author.kind === 'bot' && message.videos.length > 0) {
    const remix = document.createElement('button');
    remix.type = 'button';
    remix.className = 'chip remix';
    remix.textContent = '🔀 Remix';
    remix.title = 'Run it again with a changed prompt or options';
    remix.addEventListener('click', () => startRemix(message, remix));
    chips.append(remix);
  }
  const shown = new Map(message.reactions.map((r) => [r.emoji, r.users]));
  if (shown.size === 0) return;
  chips.setAttribute('role', 'group');
  chips.setAttribute('aria-label', 'Reactions');
  for (const [emoji, users] of shown) {
    const people = users.filter((u) => u !== 'bot');
    const mine = state.me !== null && users.includes(state.me.userId);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'chip';
    button.setAttribute('aria-pressed', String(mine));
    const title = ACTION_TITLES[emoji];
    const who = people.map((u) => state.names[u] ?? u).join(', ');
    button.title = [title, who && `Reacted: ${who}`].filter(Boolean).join(' · ');
    button.setAttribute('aria-label', `${title ?? 'React'} ${emoji}${people.length ? `, ${people.length}` : ''}`);
    const glyph = document.createElement('span');
    glyph.textContent = emoji;
    glyph.setAttribute('aria-hidden', 'true');
    button.append(glyph);
    if (people.length > 0) {
      const count = document.createElement('span');
      count.className = 'count';
      count.textContent = String(people.length);
      count.setAttribute('aria-hidden', 'true');
      button.append(count);
    }
    button.addEventListener('click', () => react(message, emoji, button));
    chips.append(button);
  }
}

function noteOn(button, text) {
  const note = button.closest('.message')?.querySelector(':scope > .note');
  if (!note) return;
  note.textContent = text;
  note.setAttribute('role', 'status');
}

// --- 🔀 remix and the channel's defaults --------------------------------------------------------------

/** Sets the composer's options (duration, loop, takes) to `options`, leaving out what it does not give. */
function setComposerOptions(options) {
  if (options.model !== undefined && (state.models ?? []).some((m) => m.id === options.model)) {
    $('composer-model').value = options.model;
    showModelOptions();
  }
  if (options.duration !== undefined) {
    const duration = $('composer-duration');
    if ([...duration.options].some((o) => o.value === String(options.duration))) {
      duration.value = String(options.duration);
    }
  }
  if (options.sound !== undefined && !$('composer-sound').disabled) $('composer-sound').checked = options.sound;
  if (options.shape !== undefined) $('composer-shape').value = options.shape;
  if (options.loop !== undefined) $('composer-loop').checked = options.loop;
  if (options.takes !== undefined) $('composer-takes').value = String(options.takes);
}

async function startRemix(message, button) {
  button.disabled = true;
  try {
    const { status, body } = await api(`/web/api/messages/${encodeURIComponent(message.id)}/remix`);
    if (status !== 200) {
      noteOn(button, `⚠️ ${body?.refusals?.[0]?.message ?? 'The bot did not answer; try again.'}`);
      return;
    }
    noteOn(button, '');
    const { options, imagesKept } = body;
    state.remix = { messageId: message.id, imagesKept };
    $('composer-prompt').value = options.prompt;
    setComposerOptions(options);
    $('composer-remix-text').textContent = imagesKept
      ? '🔀 Remixing this video from its own images: change what you like.'
      : '🔀 The bot no longer keeps this video’s images: attach the image again.';
    $('composer-keep-end-row').hidden = !(imagesKept && options.endImage);
    $('composer-keep-end').checked = true;
    $('composer-remix').hidden = false;
    $('composer-send').textContent = 'Remix';
    $('composer-prompt').focus();
  } finally {
    button.disabled = false;
  }
}

function endRemix() {
  state.remix = null;
  $('composer-remix').hidden = true;
  $('composer-send').textContent = 'Animate';
  setComposerOptions(state.defaults);
}

$('composer-remix-cancel').addEventListener('click', endRemix);

function showDefaults(defaults) {
  state.defaults = defaults;
  if (!state.remix) setComposerOptions(defaults);
  $('defaults-model').value = defaults.model ?? '';
  $('defaults-duration').value = defaults.duration === undefined ? '' : String(defaults.duration);
  $('defaults-sound').value = defaults.sound === undefined ? '' : defaults.sound ? 'on' : 'off';
  $('defaults-shape').value = defaults.shape ?? '';
  $('defaults-loop').value = defaults.loop === undefined ? '' : defaults.loop ? 'on' : 'off';
  $('defaults-takes').value = defaults.takes === undefined ? '' : String(defaults.takes);
}

async function saveDefaults(change) {
  const { status, body } = await api('/web/api/defaults', jsonBody(change));
  $('defaults-refusal').textContent = status === 200 ? '' : `⚠️ ${body?.refusals?.[0]?.message ?? 'Try again.'}`;
  if (status !== 200) return;
  $('defaults-state').textContent = body.text;
  showDefaults(body.defaults);
}

$('defaults').addEventListener('toggle', async () => {
  if (!$('defaults').open) return;
  const { status, body } = await api('/web/api/defaults');
  if (status === 200) {
    $('defaults-state').textContent = body.text;
    showDefaults(body.defaults);
  }
});
$('defaults-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const defaults = {};
  if ($('defaults-model').value) defaults.model = $('defaults-model').value;
  if ($('defaults-duration').value) defaults.duration = $('defaults-duration').value;
  if ($('defaults-sound').value) defaults.sound = $('defaults-sound').value;
  if ($('defaults-shape').value) defaults.shape = $('defaults-shape').value;
  if ($('defaults-loop').value) defaults.loop = $('defaults-loop').value;
  if ($('defaults-takes').value) defaults.takes = $('defaults-takes').value;
  saveDefaults({ defaults });
});
$('defaults-clear').addEventListener('click', () => saveDefaults({ clear: true }));

async function react(message, emoji, button) {
  button.disabled = true;
  try {
    const { status, body } = await api(
      `/web/api/messages/${encodeURIComponent(message.id)}/reactions`,
      jsonBody({ emoji, eventId: eventId() }),
    );
    const note = button.closest('.message')?.querySelector(':scope > .note');
    if (note) {
      note.textContent =
        status === 200 && body.refusal
          ? `⚠️ ${body.refusal.message}`
          : status === 200
            ? ''
            : '⚠️ The bot did not answer; try again.';
      note.setAttribute('role', 'status');
    }
  } finally {
    button.disabled = false;
  }
}

// --- the thread panel -----------------------------------------------------------------------------------

async function openThread(id) {
  state.openThread = id;
  const list = $('thread-messages');
  list.replaceChildren();
  $('thread').hidden = false;
  document.body.classList.add('with-thread');
  const anchor = state.messages.get(id);
  if (anchor?.thread) $('thread-title').textContent = anchor.thread.name;
  for (const message of [...state.messages.values()].sort(byId)) {
    if (message.id === id || message.threadId === id) drawInto(list, message, 'thread');
  }
  await loadThread(id);
  $('thread-close').focus();
}

function closeThread() {
  state.openThread = null;
  $('thread').hidden = true;
  document.body.classList.remove('with-thread');
  $('composer-prompt').focus();
}

$('thread-close').addEventListener('click', closeThread);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && state.openThread) closeThread();
});

// --- the composer ---------------------------------------------------------------------------------------

function setStartImage(file) {
  state.startImage = file;
  const preview = $('image-preview');
  if (preview.src) URL.revokeObjectURL(preview.src);
  if (file) {
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
    $('drop-text').textContent = file.name || 'pasted image';
  } else {
    preview.removeAttribute('src');
    preview.hidden = true;
    $('drop-text').textContent = 'Image: choose, drop or paste';
  }
}

$('composer-image').addEventListener('change', (event) => setStartImage(event.target.files?.[0] ?? null));
// The file input is hidden: its drop zone shows where the keyboard focus is.
$('composer-image').addEventListener('focus', () => $('drop').classList.add('focused'));
$('composer-image').addEventListener('blur', () => $('drop').classList.remove('focused'));
const drop = $('drop');
for (const type of ['dragenter', 'dragover']) {
  drop.addEventListener(type, (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
}
for (const type of ['dragleave', 'drop']) drop.addEventListener(type, () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  const file = [...(event.dataTransfer?.files ?? [])].find((f) => f.type.startsWith('image/'));
  if (file) setStartImage(file);
});
document.addEventListener('paste', (event) => {
  if ($('app').hidden) return;
  const file = [...(event.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
  if (!file) return;
  event.preventDefault();
  setStartImage(file);
});
$('composer-model').addEventListener('change', () => showModelOptions());
$('composer-prompt').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) $('composer').requestSubmit();
});

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const send = $('composer-send');
  const refusalBox = $('composer-refusal');
  const form = new FormData();
  form.set('eventId', eventId());
  form.set('prompt', $('composer-prompt').value);
  form.set('model', $('composer-model').value);
  form.set('duration', $('composer-duration').value || '5');
  form.set('sound', $('composer-sound').checked ? 'on' : 'off');
  form.set('shape', $('composer-shape').value || 'original');
  form.set('loop', $('composer-loop').checked ? 'on' : 'off');
  form.set('takes', $('composer-takes').value || '1');
  if (state.startImage) form.set('image', state.startImage, state.startImage.name || 'pasted.png');
  const end = $('composer-end-image').files?.[0];
  if (end) form.set('end_image', end, end.name);
  const remix = state.remix;
  if (remix) form.set('keepEndImage', $('composer-keep-end').checked ? 'on' : 'off');
  const path = remix ? `/web/api/messages/${encodeURIComponent(remix.messageId)}/remix` : '/web/api/animate';
  send.disabled = true;
  send.textContent = 'Sending…';
  refusalBox.replaceChildren();
  for (const el of document.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  try {
    const response = await fetch(path, { method: 'POST', body: form, credentials: 'same-origin' });
    const body = await response.json().catch(() => null);
    if (response.status === 202) {
      $('composer-prompt').value = '';
      setStartImage(null);
      $('composer-image').value = '';
      $('composer-end-image').value = '';
      if (remix) endRemix();
      upsertSoon(body.anchorId).then(() => openThread(body.anchorId));
      return;
    }
    showRefusals(body?.refusals ?? [{ message: `The bot answered ${response.status}. Try again.` }]);
  } catch {
    showRefusals([{ message: 'Could not reach the bot. Check that it is running, then try again.' }]);
  } finally {
    send.disabled = false;
    send.textContent = state.remix ? 'Remix' : 'Animate';
  }
});

/** Waits (briefly) for the announcement to arrive over the stream before opening its thread. */
function upsertSoon(id) {
  return new Promise((resolve) => {
    const started = Date.now();
    const check = () => {
      if (state.messages.has(id) || Date.now() - started > 3000) resolve();
      else setTimeout(check, 50);
    };
    check();
  });
}

const FIELD_INPUTS = {
  image: 'composer-image',
  end_image: 'composer-end-image',
  prompt: 'composer-prompt',
  duration: 'composer-duration',
  model: 'composer-model',
  sound: 'composer-sound',
  shape: 'composer-shape',
};

function showRefusals(refusals) {
  const box = $('composer-refusal');
  box.replaceChildren(
    ...refusals.map((r) => {
      const p = document.createElement('p');
      p.textContent = `⚠️ ${r.message}`;
      return p;
    }),
  );
  for (const r of refusals) {
    const input = r.field ? $(FIELD_INPUTS[r.field] ?? '') : null;
    input?.setAttribute('aria-invalid', 'true');
  }
  if (refusals.some((r) => r.field === 'image' || r.field === 'end_image')) drop.classList.add('invalid');
  else drop.classList.remove('invalid');
}

boot().catch(() => banner('Could not reach the bot. Reload the page once it runs.'));
