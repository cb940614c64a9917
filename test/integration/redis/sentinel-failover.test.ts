import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelKeyOf } from '../../../src/core/admin-settings.js';
import { userKey } from '../../../src/core/model.js';
import type { RedisTarget } from '../../../src/queue/stores/redis.js';
import { type OxenSimulator, startOxenSimulator } from '../../../src/simulator/simulator.js';
import { checkInvariants, formatResults, takeSnapshot } from '../../chaos/invariants.js';
import { eventually } from '../../support/eventually.js';
import { currentPrimary, type SentinelSet, startSentinelSet } from '../../support/redis-topology.js';
import { attemptState, createStack, type Stack, submitInput } from '../queue/harness.js';

/** Primary, replica, three sentinels: this file's ports (7100–7199 belong to the Redis topology tests). */
const PORTS = [7110, 7111, 7120, 7121, 7122] as const;
const ENDED = new Set(['done', 'failed', 'cancelled']);

describe('Redis Sentinel: the primary is killed with generations in flight', () => {
  let set: SentinelSet;
  let sim: OxenSimulator;
  let stack: Stack;

  beforeAll(async () => {
    set = await startSentinelSet(PORTS);
    // Long enough at Oxen that every generation is still running when the primary dies.
    sim = await startOxenSimulator({ knobs: { queuedMs: 200, processingMs: 4_000 } });
    const target: RedisTarget = {
      kind: 'sentinel',
      sentinels: set.sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
      name: set.name,
      url: 'redis://127.0.0.1:7199',
    };
    stack = await createStack({ sim, redis: target });
    await stack.startWorker({ timings: { lockDurationMs: 5_000, stalledIntervalMs: 2_000 } });
  });

  afterAll(async () => {
    await stack?.close();
    await sim?.close();
    await set?.close();
  });

  it('GIVEN SIGKILL on the primary THEN the bot and worker follow the failover: every request ends delivered or told, none billed twice, new requests taken again', async () => {
    const requesters = new Map<string, { userKey: string; channel: string; duration: number }>();
    const submit = async (user: string) => {
      const input = submitInput({}, user);
      const accepted = await stack.intake.submit(input);
      if (!accepted.ok) throw new Error(`refused: ${accepted.error.code}`);
      requesters.set(accepted.value.requestId, {
        userKey: userKey(input.requester),
        channel: channelKeyOf(input.where),
        duration: input.duration,
      });
      return accepted.value.requestId;
    };
    const before = [await submit('U1'), await submit('U2'), await submit('U3'), await submit('U4')];
    await eventually(
      async () => (await Promise.all(before.map((id) => attemptState(stack, id)))).every((s) => s === 'submitted'),
      'every generation to be running at Oxen',
    );
    const oldPrimary = await currentPrimary(set.sentinelPorts[0] ?? 0, set.name);
    const primary = set.servers.find((s) => s.port === oldPrimary);
    if (!primary) throw new Error('no primary');

    const killedAt = Date.now();
    await primary.stop('SIGKILL');
    // A person keeps trying: the first request accepted after the kill marks when intake works again.
    let after: string | undefined;
    for (let tries = 0; after === undefined; tries++) {
      try {
        after = await submit('U5');
      } catch (error) {
        if (tries > 600) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const takenAfterMs = Date.now() - killedAt;
    expect(await currentPrimary(set.sentinelPorts[0] ?? 0, set.name)).not.toBe(oldPrimary);

    const all = [...before, after];
    await eventually(
      async () => (await Promise.all(all.map((id) => attemptState(stack, id)))).every((s) => ENDED.has(s ?? '')),
      'every request to end',
      { timeoutMs: 120_000 },
    );
    await eventually(() => stack.chat.videos().length >= all.length, 'every video to be posted', { timeoutMs: 60_000 });

    // Final edits go through an outbox (src/queue/stores/final-edits.ts): wait until it has shown every end.
    let broken: ReturnType<typeof checkInvariants> = [];
    await eventually(
      async () => {
        const snap = await takeSnapshot(
          stack.redis,
          stack.prefix,
          sim,
          stack.chat,
          { timeoutMs: 600_000, graceMs: 60_000 },
          requesters,
        );
        broken = checkInvariants(snap).filter((r) => r.violations.length > 0);
        return broken.length === 0;
      },
      'the invariants to hold',
      { timeoutMs: 60_000, intervalMs: 250 },
    ).catch(() => undefined);
    expect(formatResults(broken)).toEqual([]);
    expect(sim.counters.enqueue).toBe(all.length);
    // The measurement the README quotes: from SIGKILL to the first new request accepted.
    process.stdout.write(`sentinel failover: a new request was accepted ${takenAfterMs} ms after SIGKILL\n`);
  });
});
