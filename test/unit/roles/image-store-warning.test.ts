import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.js';
import { createOxenClient } from '../../../src/oxen/client.js';
import { openImageStore } from '../../../src/roles/image-store.js';
import { createLogger } from '../../../src/shared/logger.js';

/** What a worker logs when it opens the default `oxen` image store against `baseUrl`. */
async function startLogs(baseUrl: string): Promise<Array<{ level: number; msg: string }>> {
  const lines: Array<{ level: number; msg: string }> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const logger = createLogger({ destination });
  const config = loadConfig(
    { OXEN_API_KEY: 'key', OXEN_BASE_URL: baseUrl, OXEN_INPUT_REPO: 'local/animate-inputs' },
    'worker',
  );
  const oxen = createOxenClient({ baseUrl, apiKey: 'key', logger });
  const opened = await openImageStore(config, oxen, logger);
  opened.close();
  return lines;
}

describe('the public-repository warning of IMAGE_STORE=oxen', () => {
  it('GIVEN the real Oxen THEN the worker warns that inputs go to a public repository', async () => {
    const lines = await startLogs('https://hub.oxen.ai');
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      expect.stringContaining('PUBLIC Oxen repository local/animate-inputs'),
    ]);
  });

  it('GIVEN the simulator on loopback (npm start with nothing configured) THEN no warning, and the log says where inputs go', async () => {
    for (const url of ['http://127.0.0.1:41234', 'http://localhost:41234', 'http://[::1]:41234']) {
      const lines = await startLogs(url);
      expect(lines.filter((l) => l.level >= 40)).toEqual([]);
      expect(lines.map((l) => l.msg)).toContain('input images are staged in the local Oxen simulator');
    }
  });
});
