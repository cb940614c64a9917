import { execSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'animate-runtime-deps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The `npm ci` of the Dockerfile's `deps` stage, as written there. */
function depsStageInstall(): string {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const stage = dockerfile.split(/^FROM /m).find((s) => /^\S+ AS deps$/m.test(s)) ?? '';
  const command = /^RUN (npm ci [^&\n]*)/m.exec(stage)?.[1];
  if (!command) throw new Error('no `RUN npm ci` in the Dockerfile’s deps stage');
  return command.trim();
}

/** Every installed package.json under `node_modules`, nested ones included, as `name@version`. */
function installed(modules: string): string[] {
  const found: string[] = [];
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === '.bin') continue;
      const path = join(folder, entry.name);
      if (entry.name.startsWith('@')) {
        visit(path);
        continue;
      }
      try {
        const pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { name: string; version: string };
        found.push(`${pkg.name}@${pkg.version}`);
      } catch {
        // A folder without a package.json of its own.
      }
      if (readdirSync(path).includes('node_modules')) visit(join(path, 'node_modules'));
    }
  };
  visit(modules);
  return found;
}

/** Bytes of the files under `folder` (what an image layer stores). */
function bytesUnder(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

describe('the Dockerfile’s production dependencies (its deps stage, run here)', () => {
  it('GIVEN its npm ci THEN no TypeScript, Bull Board’s api and ui once, every dependency present, under 80 MB', () => {
    for (const name of ['package.json', 'package-lock.json']) copyFileSync(join(ROOT, name), join(dir, name));
    // From npm's cache where the suite's own `npm ci` left the packages.
    execSync(`${depsStageInstall()} --prefer-offline --loglevel=error`, { cwd: dir, stdio: 'pipe' });
    const packages = installed(join(dir, 'node_modules'));
    expect(packages.filter((p) => p.startsWith('typescript@'))).toEqual([]);
    expect(packages.filter((p) => p.startsWith('@bull-board/api@'))).toHaveLength(1);
    expect(packages.filter((p) => p.startsWith('@bull-board/ui@'))).toHaveLength(1);
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const name of Object.keys(dependencies))
      expect(
        packages.some((p) => p.startsWith(`${name}@`)),
        name,
      ).toBe(true);
    // docs/image-size.md counts ~70 MB for this layer.
    expect(bytesUnder(join(dir, 'node_modules'))).toBeLessThan(80 * 1024 * 1024);
  });
});
