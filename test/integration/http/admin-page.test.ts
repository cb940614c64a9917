import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../../src/http/server.js';
import { createIntake, type QueueIntake } from '../../../src/queue/intake.js';
import { createRedisConnection } from '../../../src/queue/stores/redis.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { deleteUnder, testRedisTarget } from '../../support/redis-target.js';

const ADMIN_TOKEN = 'test-admin-token-0123456789';

describe('the admin page', () => {
  const prefix = `{t-${randomUUID()}}`;
  const redis = createRedisConnection(testRedisTarget(), { forWorker: false });
  let intake: QueueIntake;
  let http: HttpServer;
  let base: string;
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

  beforeAll(async () => {
    intake = createIntake({ connection: redis, prefix, limits: { adminUserIds: ['slack:UADMIN'] } });
    http = createHttpServer({ logger: silentLogger(), adminToken: ADMIN_TOKEN });
    http.mountAdminPage(intake.admin);
    base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await http.close();
    await intake.close();
    await deleteUnder(redis, prefix);
    await redis.quit();
  });

  it('GIVEN no token THEN the page is refused and nothing is shown', async () => {
    const res = await fetch(`${base}/admin/settings`);
    expect(res.status).toBe(401);
    const post = await fetch(`${base}/admin/settings`, {
      method: 'POST',
      body: new URLSearchParams({ command: 'pause nope' }),
    });
    expect(post.status).toBe(401);
    expect((await intake.admin.settings.get()).paused).toBeNull();
  });

  it('GIVEN the token THEN the page shows the settings, runs a command, shows the new state and its audit entry', async () => {
    const first = await (await fetch(`${base}/admin/settings`, { headers: auth })).text();
    expect(first).toContain('Running: new requests are taken');
    const res = await fetch(`${base}/admin/settings`, {
      method: 'POST',
      headers: auth,
      body: new URLSearchParams({ command: 'pause <b>Back</b> at 3 pm' }),
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Changed paused');
    // What an admin typed is shown escaped, never as markup.
    expect(html).toContain('&lt;b&gt;Back&lt;/b&gt; at 3 pm');
    expect(html).not.toContain('<b>Back</b>');
    expect(html).toMatch(/id="audit">[^<]*web:admin-token settings_changed paused/);
    const refused = await intake.precheck(
      { platform: 'slack', userId: 'U1', displayName: 'u' },
      { platform: 'slack', channelId: 'C1', threadId: null },
      5,
    );
    expect(!refused.ok && refused.error.code).toBe('paused');
  });
});
