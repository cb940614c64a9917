// The pages' one way to call the playground's API: with the session cookie, and a body that is not JSON
// read as none, so a page shows the status's own message instead of failing on the parse.

/** Calls `path` with the session cookie; `{ status, body }`, `body` the JSON answer or null. */
export async function api(path, options = {}) {
  const response = await fetch(path, { credentials: 'same-origin', ...options });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { status: response.status, body };
}
