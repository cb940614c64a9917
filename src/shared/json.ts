/** `text` parsed as JSON, or null when it is not JSON: for values read back from storage, checked by a schema next. */
export function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
