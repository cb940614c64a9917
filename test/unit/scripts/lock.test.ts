import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script (`npm run lock`, `npm run lock:check`, .ci/run)
import { fillMissing, lockProblems, missingEntries, rootProblems, satisfies } from '../../../scripts/lock.mjs';

type Entry = Record<string, unknown>;
type Lock = { lockfileVersion: number; packages: Record<string, Entry> };

/** A lockfile where a dev tool lists two platform binaries as optional and the lockfile has only one. */
function lockWithAMissingBinary(): Lock {
  return {
    lockfileVersion: 3,
    packages: {
      '': { name: 'app', devDependencies: { tool: '^1.0.0' } },
      'node_modules/tool': {
        version: '1.2.0',
        dev: true,
        optionalDependencies: { '@tool/cli-linux-x64': '1.2.0', '@tool/cli-darwin-arm64': '1.2.0' },
      },
      'node_modules/@tool/cli-linux-x64': { version: '1.2.0', cpu: ['x64'], dev: true, optional: true, os: ['linux'] },
    },
  };
}

const darwinManifest = {
  name: '@tool/cli-darwin-arm64',
  version: '1.2.0',
  os: ['darwin'],
  cpu: ['arm64'],
  license: 'MIT',
  engines: { node: '>=18' },
  dist: { integrity: 'sha512-abc' },
};

describe('npm run lock:check', () => {
  it('GIVEN this repository THEN package.json and package-lock.json agree (else: run `npm run lock`)', () => {
    expect(lockProblems()).toEqual([]);
  });

  it('GIVEN a range changed in package.json only THEN it names the package and both ranges', () => {
    const lock = lockWithAMissingBinary();
    lock.packages['node_modules/@tool/cli-darwin-arm64'] = { version: '1.2.0' };
    const pkg = { devDependencies: { tool: '^2.0.0' } };
    expect(rootProblems(pkg, lock)).toEqual([
      'devDependencies: tool is ^2.0.0 in package.json, ^1.0.0 in package-lock.json',
      'devDependencies: package-lock.json has tool@1.2.0, package.json asks for ^2.0.0',
    ]);
    expect(rootProblems({ devDependencies: { tool: '^1.0.0' }, dependencies: { zod: '^4.0.0' } }, lock)).toEqual([
      'dependencies: zod@^4.0.0 is in package.json only',
      'dependencies: package-lock.json has no node_modules/zod',
    ]);
  });

  it('GIVEN an optional platform binary without an entry THEN it is reported', () => {
    expect(missingEntries(lockWithAMissingBinary())).toEqual([
      {
        parent: 'node_modules/tool',
        name: '@tool/cli-darwin-arm64',
        range: '1.2.0',
        optional: true,
        found: undefined,
      },
    ]);
  });
});

describe('npm run lock', () => {
  it('GIVEN a missing binary the registry has THEN its entry is added with os, cpu and the dev/optional flags', () => {
    const lock = lockWithAMissingBinary();
    const done = fillMissing(lock, missingEntries(lock), () => darwinManifest);

    expect(done).toEqual(['added @tool/cli-darwin-arm64@1.2.0 (optional of node_modules/tool)']);
    expect(lock.packages['node_modules/@tool/cli-darwin-arm64']).toEqual({
      version: '1.2.0',
      integrity: 'sha512-abc',
      cpu: ['arm64'],
      dev: true,
      license: 'MIT',
      optional: true,
      os: ['darwin'],
      engines: { node: '>=18' },
    });
    expect(Object.keys(lock.packages)).toEqual([
      '',
      'node_modules/@tool/cli-darwin-arm64',
      'node_modules/@tool/cli-linux-x64',
      'node_modules/tool',
    ]);
    expect(missingEntries(lock)).toEqual([]);
  });

  it('GIVEN a missing binary the registry does not have THEN the parent stops naming it', () => {
    const lock = lockWithAMissingBinary();
    const done = fillMissing(lock, missingEntries(lock), () => undefined);

    expect(done[0]).toMatch(/^dropped @tool\/cli-darwin-arm64@1.2.0/);
    expect(lock.packages['node_modules/tool']?.optionalDependencies).toEqual({ '@tool/cli-linux-x64': '1.2.0' });
    expect(missingEntries(lock)).toEqual([]);
  });

  it('GIVEN a required dependency the registry does not have THEN it refuses rather than dropping it', () => {
    const lock = lockWithAMissingBinary();
    (lock.packages['node_modules/tool'] as Entry).dependencies = { gone: '1.0.0' };
    expect(() => fillMissing(lock, missingEntries(lock), () => undefined)).toThrow(/gone@1.0.0/);
  });

  it('GIVEN exact, ^ and ~ ranges THEN satisfies answers as npm would; undefined for what it does not know', () => {
    expect(satisfies('2.6.8', '2.6.8')).toBe(true);
    expect(satisfies('2.6.9', '2.6.8')).toBe(false);
    expect(satisfies('3.0.7', '^3.0.4')).toBe(true);
    expect(satisfies('4.0.0', '^3.0.4')).toBe(false);
    expect(satisfies('0.2.5', '^0.2.3')).toBe(true);
    expect(satisfies('0.3.0', '^0.2.3')).toBe(false);
    expect(satisfies('2.3.3', '~2.3.3')).toBe(true);
    expect(satisfies('2.4.0', '~2.3.3')).toBe(false);
    expect(satisfies('7.24.6', '>=7.24.0 <7.24.7')).toBeUndefined();
  });
});
