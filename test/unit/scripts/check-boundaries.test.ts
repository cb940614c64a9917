import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script (`npm run check:boundaries`, .ci/run)
import { findViolations, importsOf, ruleBroken } from '../../../scripts/check-boundaries.mjs';

/** A throwaway repository holding `files` (path → text), for the checker to read. */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'boundaries-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('npm run check:boundaries', () => {
  it('GIVEN this repository THEN no import crosses a boundary', () => {
    expect(findViolations()).toEqual([]);
  });

  it('GIVEN src/core THEN only src/core, src/shared and zod', () => {
    expect(ruleBroken('src/core/intake.ts', './model.js')).toBeNull();
    expect(ruleBroken('src/core/ports/oxen.ts', '../../shared/result.js')).toBeNull();
    expect(ruleBroken('src/core/model.ts', 'zod')).toBeNull();
    expect(ruleBroken('src/core/intake.ts', '../queue/stores/keys.js')).toMatch(/src\/core/);
    expect(ruleBroken('src/core/intake.ts', 'ioredis')).toMatch(/src\/core/);
    expect(ruleBroken('src/core/intake.ts', 'node:crypto')).toMatch(/src\/core/);
  });

  it('GIVEN an adapter THEN another adapter is out of reach, its own files and core are not', () => {
    expect(ruleBroken('src/adapters/slack/index.ts', '../discord/render.js')).toMatch(/adapter/);
    expect(ruleBroken('src/adapters/slack/index.ts', './render.js')).toBeNull();
    expect(ruleBroken('src/adapters/slack/index.ts', '../../core/model.js')).toBeNull();
    expect(ruleBroken('src/adapters/slack/platform.ts', '../platform.js')).toBeNull();
    expect(ruleBroken('src/adapters/registry.ts', './slack/platform.js')).toBeNull();
  });

  it('GIVEN the rest of src THEN it reaches a platform through the registry only', () => {
    expect(ruleBroken('src/roles/platforms.ts', '../adapters/slack/index.js')).toMatch(/registry/);
    expect(ruleBroken('src/config/env.ts', '../adapters/slack/settings.js')).toMatch(/registry/);
    expect(ruleBroken('src/roles/platforms.ts', '../adapters/registry.js')).toBeNull();
    expect(ruleBroken('src/roles/platforms.ts', '../adapters/platform.js')).toBeNull();
    expect(ruleBroken('test/unit/x.test.ts', '../../src/adapters/slack/index.js')).toBeNull();
  });

  it('GIVEN src/, bench/ and test/ THEN src never imports tests or benches, benches only test/support and test/fakes', () => {
    expect(ruleBroken('src/cli/compose.ts', '../../test/support/images.js')).toMatch(/src\//);
    expect(ruleBroken('src/roles/worker-part.ts', '../../bench/common.js')).toMatch(/src\//);
    expect(ruleBroken('bench/common.ts', '../test/support/eventually.js')).toBeNull();
    expect(ruleBroken('bench/edits.ts', '../test/fakes/chat/memory-chat.js')).toBeNull();
    expect(ruleBroken('bench/load.ts', '../test/integration/queue/harness.js')).toMatch(/bench/);
    expect(ruleBroken('test/unit/x.test.ts', '../../bench/common.js')).toMatch(/test/);
  });

  it('GIVEN src/storage THEN only its own folder, core, shared and packages', () => {
    expect(ruleBroken('src/storage/s3.ts', './shared.js')).toBeNull();
    expect(ruleBroken('src/storage/oxen.ts', '../core/ports/oxen.js')).toBeNull();
    expect(ruleBroken('src/storage/s3.ts', '@aws-sdk/client-s3')).toBeNull();
    expect(ruleBroken('src/storage/http.ts', '../queue/stores/keys.js')).toMatch(/src\/storage/);
    expect(ruleBroken('src/storage/http.ts', '../roles/image-store.js')).toMatch(/src\/storage/);
  });

  it('GIVEN files that import each other, directly or through a third, type-only included THEN each circle is refused once', () => {
    const root = fixture({
      'src/core/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'src/core/b.ts': "import type { C } from './c.js';\nexport const b = 1 as C;\n",
      'src/core/c.ts': "import { a } from './a.js';\nexport type C = typeof a;\n",
      'src/queue/d.ts': "import { e } from './e.js';\nexport const d = e;\n",
      'src/queue/e.ts': "export { d as e } from './d.js';\n",
      'src/queue/f.ts': "import { d } from './d.js';\nimport { a } from '../core/a.js';\nexport const f = [a, d];\n",
    });
    try {
      expect(findViolations(root)).toEqual([
        {
          file: 'src/core/a.ts',
          line: 1,
          specifier: './b.js',
          rule: 'import circle: src/core/a.ts → src/core/b.ts → src/core/c.ts → src/core/a.ts',
        },
        {
          file: 'src/queue/d.ts',
          line: 1,
          specifier: './e.js',
          rule: 'import circle: src/queue/d.ts → src/queue/e.ts → src/queue/d.ts',
        },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('GIVEN files that import without a circle THEN nothing is refused', () => {
    const root = fixture({
      'src/core/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'src/core/b.ts': 'export const b = 1;\n',
      'src/queue/d.ts':
        "import { a } from '../core/a.js';\nimport { b } from '../core/b.js';\nexport const d = a + b;\n",
    });
    try {
      expect(findViolations(root)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('GIVEN imports over several lines, export-from and dynamic imports THEN each is found with its line', () => {
    const text = [
      'import {',
      '  a,',
      "} from '../core/a.js';",
      "export { b } from './b.js';",
      "const c = await import('../c.js');",
      "import './side-effect.js';",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: '../core/a.js', line: 3 },
      { specifier: './b.js', line: 4 },
      { specifier: '../c.js', line: 5 },
      { specifier: './side-effect.js', line: 6 },
    ]);
  });
});
