/**
 * The Discord side of bench/intake-discord.ts, in a process of its own: two loopback Discord fakes
 * (gateway and REST, test/fakes/discord), one per app measured, run here, so neither the fakes' work nor
 * the burst's shares the event loop of the bot it measures. Sends { ready: [{ apiUrl, token }, …] } once
 * listening; on { burst: { fake, count, userBase, timeoutMs } } dispatches from fake number `fake` `count` `/animate` interactions at once (each from
 * its own user, with a PNG on the fake CDN) and answers { result: { samples, wallMs, callbackTypes } }, each sample the
 * time from the dispatch to the interaction's callback (defer, reply or modal: Discord's acknowledgement)
 * reaching the fake. Exits when its parent disconnects.
 */
import { makePng } from '../src/simulator/sample-png.js';
import { startDiscordFake } from '../test/fakes/discord/server.js';
import type { BurstSample } from './intake-sender.js';

/** One burst to send. */
export interface DiscordBurstOrder {
  /** Which fake (0 or 1) dispatches. */
  fake: number;
  count: number;
  userBase: number;
  timeoutMs: number;
}

const fakes = await Promise.all([startDiscordFake(), startDiscordFake()]);
const png = makePng(512, 512);
/** `fake#interaction id` → when it was dispatched, and the callback's resolver. */
const waiting = new Map<string, { at: number; done: (ms: number) => void }>();
fakes.forEach((fake, n) => {
  const push = fake.requests.push.bind(fake.requests);
  fake.requests.push = (...lines: string[]) => {
    const now = performance.now();
    for (const line of lines) {
      const id = /^POST \/api\/v\d+\/interactions\/(\d+)\/[^/]+\/callback$/.exec(line)?.[1];
      const w = id ? waiting.get(`${n}#${id}`) : undefined;
      if (id && w) {
        waiting.delete(`${n}#${id}`);
        w.done(now - w.at);
      }
    }
    return push(...lines);
  };
});

async function burst(
  order: DiscordBurstOrder,
): Promise<{ samples: BurstSample[]; wallMs: number; callbackTypes: Record<string, number> }> {
  const ids: string[] = [];
  const fake = fakes[order.fake] ?? fakes[0];
  if (!fake) throw new Error('no fake');
  const images = Array.from({ length: order.count }, (_, i) =>
    fake.attachment(`cat-${i}.png`, png, { contentType: 'image/png', width: 512, height: 512 }),
  );
  const started = performance.now();
  const samples = await Promise.all(
    images.map(
      (image, i) =>
        new Promise<BurstSample>((resolve) => {
          const userId = String(300_000_000_000_000_000n + BigInt(order.userBase + i));
          const at = performance.now();
          const timer = setTimeout(() => resolve({ ms: order.timeoutMs, ok: false }), order.timeoutMs);
          const id = fake.animate({ image, prompt: 'slow push-in', duration: 5 }, { userId });
          ids.push(id);
          waiting.set(`${order.fake}#${id}`, {
            at,
            done: (ms) => {
              clearTimeout(timer);
              resolve({ ms, ok: true });
            },
          });
        }),
    ),
  );
  const wallMs = performance.now() - started;
  // How each was answered (5 a defer, 4 a reply such as a private refusal, 9 a modal).
  const callbackTypes: Record<string, number> = {};
  for (const id of ids) {
    const type = String(fake.interaction(id)?.callbackType ?? 'none');
    callbackTypes[type] = (callbackTypes[type] ?? 0) + 1;
  }
  return { samples, wallMs, callbackTypes };
}

process.on('message', (m: { burst?: DiscordBurstOrder }) => {
  if (m.burst) void burst(m.burst).then((result) => process.send?.({ result }));
});
process.on('disconnect', () => void Promise.all(fakes.map((f) => f.close())).finally(() => process.exit(0)));
process.send?.({ ready: fakes.map((f) => ({ apiUrl: f.apiUrl, token: f.token })) });
