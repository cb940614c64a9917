/**
 * The sender of bench/intake-burst.ts, in a process of its own so the burst's own work (signing,
 * sockets, parsing answers) does not share the event loop of the app it measures. Over IPC it gets
 * { burst: { url, secret, count, userBase, responseUrls } }, signs every body first, sends them all at
 * once and answers { samples: [{ ms, ok }] }, each timed until the response headers (Bolt answers at
 * `ack()`). Exits when its parent disconnects.
 */
import { slashCommand } from '../test/fakes/slack/payloads.js';
import { slackSignature } from '../test/fakes/slack/signed-request.js';

/** One burst to send. */
export interface BurstOrder {
  url: string;
  secret: string;
  count: number;
  userBase: number;
  /** One `response_url` per request. */
  responseUrls: string[];
  timeoutMs: number;
}

/** One request's timing; `ok` is a 200. */
export interface BurstSample {
  ms: number;
  ok: boolean;
}

async function burst(order: BurstOrder): Promise<{ samples: BurstSample[]; wallMs: number }> {
  const ts = Math.floor(Date.now() / 1000);
  const requests = Array.from({ length: order.count }, (_, i) => {
    const body = new URLSearchParams(
      slashCommand({
        text: `benchmark: slow push-in ${i}`,
        user: `U${order.userBase + i}`,
        userName: `user${order.userBase + i}`,
        responseUrl: order.responseUrls[i] ?? '',
      }),
    ).toString();
    return {
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': slackSignature(order.secret, ts, body),
      },
    };
  });
  const started = performance.now();
  const samples = await Promise.all(
    requests.map(async ({ body, headers }) => {
      const t0 = performance.now();
      try {
        const res = await fetch(order.url, {
          method: 'POST',
          body,
          headers,
          signal: AbortSignal.timeout(order.timeoutMs),
        });
        const ms = performance.now() - t0;
        await res.arrayBuffer();
        return { ms, ok: res.status === 200 };
      } catch {
        return { ms: performance.now() - t0, ok: false };
      }
    }),
  );
  return { samples, wallMs: performance.now() - started };
}

process.on('message', (m: { burst?: BurstOrder }) => {
  if (m.burst) void burst(m.burst).then((result) => process.send?.({ result }));
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(1), 10 * 60_000).unref();
process.send?.({ ready: true });
