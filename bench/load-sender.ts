/**
 * The load generator of bench/load.ts, in a process of its own: submits N requests through the real
 * intake (Redis), 50 at a time, each from its own user, then reports { sent: { submitted, refused, seconds } }
 * over IPC and exits. Env: PREFIX, REDIS_URL, N, OFFSET (first user number).
 */
import { createIntake } from '../src/queue/intake.js';
import { createRedisConnection } from '../src/queue/stores/redis.js';
import { benchInput, REDIS_URL } from './common.js';

const prefix = process.env.PREFIX ?? '';
const n = Number(process.env.N ?? 0);
const offset = Number(process.env.OFFSET ?? 0);
const redis = createRedisConnection(REDIS_URL, { forWorker: false });
const intake = createIntake({
  connection: redis,
  prefix,
  limits: { maxActiveGenerations: 100_000, maxActivePerUser: 10, dailySecondsPerUser: 10_000 },
});
const started = performance.now();
let submitted = 0;
let refused = 0;
for (let i = 0; i < n; i += 50) {
  const batch = Array.from({ length: Math.min(50, n - i) }, (_, k) => intake.submit(benchInput(offset + i + k)));
  for (const r of await Promise.all(batch)) {
    if (r.ok) submitted++;
    else refused++;
  }
}
await intake.close();
await redis.quit();
process.send?.({ sent: { submitted, refused, seconds: (performance.now() - started) / 1000 } }, () => process.exit(0));
