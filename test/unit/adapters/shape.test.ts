import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLATFORM_REGISTRY } from '../../../src/adapters/registry.js';
import { PLATFORMS } from '../../../src/core/platforms.js';

/**
 * Every adapter folder has the same shape (docs/architecture.md, "How to add a platform"), so a maintainer
 * who knows one platform finds the same parts in the next, and a new platform is told what it lacks.
 */
const ADAPTERS = new URL('../../../src/adapters/', import.meta.url);
/**
 * The files every platform has: its intake, its outbox, its text format, its action words, its settings,
 * and its descriptor for the registry.
 */
const FILES = ['index.ts', 'chat-port.ts', 'render.ts', 'actions.ts', 'settings.ts', 'platform.ts'];
const title = (platform: string) => platform.charAt(0).toUpperCase() + platform.slice(1);

describe('the adapter folders', () => {
  it('GIVEN src/adapters THEN it holds one folder per platform of the platform list, and no other', () => {
    const folders = readdirSync(ADAPTERS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.sort()).toEqual([...PLATFORMS].sort());
  });

  describe.each(PLATFORMS)('src/adapters/%s', (platform) => {
    it('GIVEN the folder THEN it has the common files', () => {
      const files = readdirSync(new URL(`${platform}/`, ADAPTERS));
      expect(files).toEqual(expect.arrayContaining(FILES));
    });

    it('GIVEN index.ts, settings.ts and platform.ts THEN they export the adapter, the outbox, the settings and the descriptor by the common names', async () => {
      const index = (await import(`../../../src/adapters/${platform}/index.ts`)) as Record<string, unknown>;
      const settings = (await import(`../../../src/adapters/${platform}/settings.ts`)) as Record<string, unknown>;
      const descriptor = (await import(`../../../src/adapters/${platform}/platform.ts`)) as Record<string, unknown>;
      expect(typeof index[`create${title(platform)}Adapter`]).toBe('function');
      expect(typeof index[`create${title(platform)}ChatPort`]).toBe('function');
      expect(settings[`${platform}Settings`]).toMatchObject({ env: expect.any(Object), secretKeys: expect.any(Array) });
      expect(descriptor[`${platform}Platform`]).toMatchObject({
        settings: settings[`${platform}Settings`],
        traits: { editBudget: expect.any(Object), editScope: expect.any(String) },
      });
    });

    it("GIVEN the registry THEN it lists the folder's descriptor", async () => {
      const descriptor = (await import(`../../../src/adapters/${platform}/platform.ts`)) as Record<string, unknown>;
      expect(PLATFORM_REGISTRY[platform]).toBe(descriptor[`${platform}Platform`]);
    });
  });
});
