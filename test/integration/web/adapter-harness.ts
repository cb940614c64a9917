import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import { checkImageBytes } from '../../../src/media/check-image.js';
import { silentLogger } from '../../../src/shared/logger.js';
import type { FakeIntake } from '../../fakes/intake.js';

/** Serves `app` on a free loopback port: the server (to close) and its base URL. */
export async function listenOnLoopback(app: Express): Promise<{ server: Server; base: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * What the web adapter takes besides its settings, for a route test: the fake intake, the real image
 * check, a silent logger, `app` to mount on and a Redis connection of its own at `redisUrl`.
 */
export function webAdapterDeps(fake: FakeIntake, app: Express, redisUrl: string) {
  return {
    intake: fake.intake,
    checkImage: checkImageBytes,
    logger: silentLogger(),
    expressApp: app,
    redis: new Redis(redisUrl),
  };
}
