import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * docs/architecture.md's Layers table is the map a maintainer opens first: every folder of src/ (and of
 * src/queue, which is split by role) has its row, and every row names a folder that exists.
 */
const SRC = new URL('../../../src/', import.meta.url);
const ARCHITECTURE = new URL('../../../docs/architecture.md', import.meta.url);

function layersRows(): string[] {
  const text = readFileSync(ARCHITECTURE, 'utf8');
  const table = text.slice(text.indexOf('## Layers'), text.indexOf('### The conversation'));
  return [...table.matchAll(/^\| `src\/([^`]+)`/gm)].map((match) => (match[1] as string).replace(/\/<platform>$/, ''));
}

const folders = (under: string) =>
  readdirSync(new URL(under, SRC), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${under}${entry.name}`);

describe("docs/architecture.md's Layers table", () => {
  it('GIVEN every folder of src/ and of src/queue THEN each has a row', () => {
    const rows = layersRows();
    for (const folder of [...folders(''), ...folders('queue/')]) expect(rows).toContain(folder);
  });

  it('GIVEN every row THEN its folder exists', () => {
    const existing = new Set([...folders(''), ...folders('queue/')]);
    for (const row of layersRows()) expect(existing).toContain(row);
  });
});
