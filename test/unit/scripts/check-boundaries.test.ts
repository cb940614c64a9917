import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script (`npm run check:boundaries`, .ci/run)
import { findViolations, importsOf, ruleBroken } from '../../../scripts/check-boundaries.mjs';

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
  });

  it('GIVEN src/, bench/ and test/ THEN src never imports tests or benches, benches only test/support and test/fakes', () => {
    expect(ruleBroken('src/cli/compose.ts', '../../test/support/images.js')).toMatch(/src\//);
    expect(ruleBroken('src/roles/worker-part.ts', '../../bench/common.js')).toMatch(/src\//);
    expect(ruleBroken('bench/common.ts', '../test/support/eventually.js')).toBeNull();
    expect(ruleBroken('bench/edits.ts', '../test/fakes/chat/memory-chat.js')).toBeNull();
    expect(ruleBroken('bench/load.ts', '../test/integration/queue/harness.js')).toMatch(/bench/);
    expect(ruleBroken('test/unit/x.test.ts', '../../bench/common.js')).toMatch(/test/);
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
