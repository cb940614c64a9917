// The web markup of the bot's messages (src/adapters/web/render.ts) into DOM nodes. Only textContent and
// createElement are used: nothing in a message is ever parsed as HTML.

const BOLD_OPEN = '\u000e';
const BOLD_CLOSE = '\u000f';
const ITALIC_OPEN = '\u0010';
const ITALIC_CLOSE = '\u0011';
const MENTION_OPEN = '\u0012';
const MENTION_CLOSE = '\u0013';
const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;

/** Appends text, with http(s) links as anchors. */
function appendText(doc, parent, text) {
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    if (match.index > last) parent.append(doc.createTextNode(text.slice(last, match.index)));
    const a = doc.createElement('a');
    a.href = match[0];
    a.textContent = match[0];
    a.rel = 'noopener noreferrer';
    a.target = '_blank';
    parent.append(a);
    last = match.index + match[0].length;
  }
  if (last < text.length) parent.append(doc.createTextNode(text.slice(last)));
}

/** One line of markup into `parent`. */
function renderLine(doc, parent, line, names) {
  const stack = [parent];
  const top = () => stack[stack.length - 1];
  let buffer = '';
  const flush = () => {
    if (buffer) appendText(doc, top(), buffer);
    buffer = '';
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === BOLD_OPEN || ch === ITALIC_OPEN) {
      flush();
      const el = doc.createElement(ch === BOLD_OPEN ? 'strong' : 'em');
      top().append(el);
      stack.push(el);
    } else if (ch === BOLD_CLOSE || ch === ITALIC_CLOSE) {
      flush();
      if (stack.length > 1) stack.pop();
    } else if (ch === MENTION_OPEN) {
      flush();
      const end = line.indexOf(MENTION_CLOSE, i + 1);
      const id = line.slice(i + 1, end < 0 ? line.length : end);
      const el = doc.createElement('span');
      el.className = 'mention';
      el.textContent = `@${names[id] ?? id}`;
      el.title = id === 'bot' ? 'the bot' : `web:${id}`;
      top().append(el);
      i = end < 0 ? line.length : end;
    } else {
      buffer += ch;
    }
  }
  flush();
}

/**
 * Renders a message's text: lines that start with "> " become one quote, the others paragraphs.
 * @param {string} text the markup
 * @param {Record<string, string>} names display names by user id, for mentions
 * @param {Document} doc
 * @returns {DocumentFragment}
 */
export function renderMarkup(text, names, doc = document) {
  const fragment = doc.createDocumentFragment();
  let quote = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('> ')) {
      if (!quote) {
        quote = doc.createElement('blockquote');
        fragment.append(quote);
      }
      const p = doc.createElement('p');
      renderLine(doc, p, line.slice(2), names);
      quote.append(p);
      continue;
    }
    quote = null;
    const p = doc.createElement('p');
    renderLine(doc, p, line, names);
    fragment.append(p);
  }
  return fragment;
}

/** The text as read aloud or copied: markup removed, mentions as @name. */
export function plainText(text, names) {
  return (
    text
      .replace(
        new RegExp(`${MENTION_OPEN}([^${MENTION_CLOSE}]*)${MENTION_CLOSE}`, 'g'),
        (_m, id) => `@${names[id] ?? id}`,
      )
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the markup is control characters.
      .replace(/[\u000e-\u0011]/g, '')
  );
}
