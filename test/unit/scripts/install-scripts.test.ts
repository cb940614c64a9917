import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const read = (name: string) => JSON.parse(readFileSync(resolve(ROOT, name), 'utf8'));

describe('install scripts (package.json allowScripts, npm 11)', () => {
  it('GIVEN every locked package with an install script THEN package.json approves or denies it by name, so `npm install` names none as unreviewed', () => {
    const lock = read('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts.length).toBeGreaterThan(0);
    const allowScripts = (read('package.json') as { allowScripts?: Record<string, boolean> }).allowScripts ?? {};
    const unreviewed = withScripts.filter((name) => typeof allowScripts[name] !== 'boolean');
    expect(unreviewed).toEqual([]);
  });
});
