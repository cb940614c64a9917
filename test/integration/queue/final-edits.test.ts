import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatError } from '../../../src/core/errors.js';
import type { ChatLocation } from '../../../src/core/model.js';
import { noopMetrics } from '../../../src/core/ports/metrics.js';
import { createRedisEditBudget, EDIT_BUDGETS } from '../../../src/queue/stores/edit-budget.js';
import { createFinalEditOutbox, type FinalEdit } from '../../../src/queue/stores/final-edits.js';
import { storeKeys } from '../../../src/queue/stores/keys.js';
import { createRequestStore } from '../../../src/queue/stores/request-store.js';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

/** Every request answered in place in one Discord channel: one edit budget for all of them. */
/** A final edit of a Slack message, never tried, due at once. */
function slackFinalEdit(view: FinalEdit['view']): FinalEdit {
  return {
    key: `${randomUUID()}#1`,
    platform: 'slack',
    scope: 'slack',
    ref: { platform: 'slack', channelId: 'C1', messageId: '1.2' },
    view,
    tries: 0,
    firstAt: 0,
  };
}

const CHANNEL: ChatLocation = { platform: 'discord', channelId: 'C-busy', threadId: null };

describe('final progress states under the edit budget and 429s', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await createStack();
  });
  afterEach(async () => stack.close());

  /** The text of each request's progress message, once each attempt has ended done. */
  async function finalTexts(requestIds: string[]): Promise<string[]> {
    const store = createRequestStore(stack.redis, storeKeys(stack.prefix));
    const texts: string[] = [];
    for (const id of requestIds) {
      const ref = (await store.getAttempt(id, 1))?.progressRef;
      texts.push((ref && stack.chat.find(ref)?.text) ?? '');
    }
    return texts;
  }

  async function submitAll(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const accepted = await stack.intake.submit(submitInput({ where: CHANNEL }, `U${i}`));
      if (!accepted.ok) throw new Error(accepted.error.message);
      ids.push(accepted.value.requestId);
    }
    return ids;
  }

  it('GIVEN the chat answers 429 to every edit for a while THEN each progress message still ends on its final state', async () => {
    // More refusals than the old three tries per final could outlast, each asking for a short wait.
    for (let i = 0; i < 15; i++) stack.chat.faults.push({ method: 'edit', kind: 'rate_limited', retryAfterMs: 50 });
    await stack.startWorker({ timings: { progressEveryMs: 60_000 } });
    const ids = await submitAll(3);
    for (const id of ids) await eventually(async () => (await attemptState(stack, id)) === 'done', 'the attempts');
    expect(stack.chat.videos()).toHaveLength(3);
    await eventually(async () => (await finalTexts(ids)).every((t) => t.includes('Done')), 'every final state shown');
    expect(stack.chat.faults).toHaveLength(0);
    // Nothing is left in the outbox once every final went out.
    expect(await stack.redis.zcard(storeKeys(stack.prefix).finalEditsDue())).toBe(0);
  });

  it('GIVEN a budget of one edit a second in the channel THEN finals queue for it instead of going past it, and all arrive', async () => {
    const budgets = { ...EDIT_BUDGETS, discord: { points: 1, windowSeconds: 1 } };
    const editBudget = createRedisEditBudget(stack.redis, stack.prefix, budgets);
    const granted: number[] = [];
    const counting = {
      take: async (...args: Parameters<typeof editBudget.take>) => {
        const grant = await editBudget.take(...args);
        if (grant.granted) granted.push(1);
        return grant;
      },
      pause: editBudget.pause,
    };
    const edits: string[] = [];
    const port = stack.chat.port;
    const chat = {
      ...port,
      edit: async (...args: Parameters<typeof port.edit>) => {
        edits.push(args[1].kind);
        return port.edit(...args);
      },
    };
    await stack.startWorker({ editBudget: counting, chat: { discord: chat }, timings: { progressEveryMs: 60_000 } });
    const ids = await submitAll(4);
    for (const id of ids) await eventually(async () => (await attemptState(stack, id)) === 'done', 'the attempts');
    await eventually(async () => (await finalTexts(ids)).every((t) => t.includes('Done')), 'every final state shown');
    // Every edit that reached the chat was one the budget granted: none was forced past it.
    expect(edits.length).toBe(granted.length);
  });

  it('GIVEN a claimed final THEN no other worker gets it within the lease, and one does after it (a dead claimer)', async () => {
    const outbox = createFinalEditOutbox(stack.redis, storeKeys(stack.prefix));
    const edit = slackFinalEdit({ kind: 'progress', progress: {} } as FinalEdit['view']);
    await outbox.defer(edit, 1_000);
    expect(await outbox.waiting('slack')).toBe(1);
    expect(await outbox.claimDue(999, 10, 30_000)).toEqual([]);
    expect((await outbox.claimDue(1_000, 10, 30_000)).map((e) => e.key)).toEqual([edit.key]);
    expect(await outbox.claimDue(20_000, 10, 30_000)).toEqual([]);
    expect((await outbox.claimDue(31_000, 10, 30_000)).map((e) => e.key)).toEqual([edit.key]);
    await outbox.done(edit.key);
    await outbox.done(edit.key);
    expect(await outbox.waiting('slack')).toBe(0);
    expect(await outbox.claimDue(99_000, 10, 30_000)).toEqual([]);
  });

  it('GIVEN an entry this version cannot read THEN the claim drops it instead of leasing it for ever', async () => {
    const keys = storeKeys(stack.prefix);
    const outbox = createFinalEditOutbox(stack.redis, keys);
    await stack.redis.hset(keys.finalEdits(), 'r9#1', '{not json');
    await stack.redis.zadd(keys.finalEditsDue(), 0, 'r9#1');
    expect(await outbox.claimDue(1, 10, 30_000)).toEqual([]);
    expect(await stack.redis.zcard(keys.finalEditsDue())).toBe(0);
    expect(await stack.redis.hlen(keys.finalEdits())).toBe(0);
  });

  it('GIVEN an entry whose text holds a lone surrogate (which Redis cjson cannot decode) THEN sending it frees its scope', async () => {
    const outbox = createFinalEditOutbox(stack.redis, storeKeys(stack.prefix));
    const edit = slackFinalEdit({ kind: 'notice', text: `${'x'.repeat(296)}\ud83c` });
    await outbox.defer(edit, 0);
    expect(await outbox.waiting('slack')).toBe(1);
    await outbox.done(edit.key);
    expect(await outbox.waiting('slack')).toBe(0);
  });

  it('GIVEN a final the chat keeps refusing (an archived thread) THEN it is moved aside, counted, and progress edits in its scope go on', async () => {
    const keys = storeKeys(stack.prefix);
    const port = stack.chat.port;
    const refusedRefs = new Set<string>();
    const chat = {
      ...port,
      edit: async (...args: Parameters<typeof port.edit>) => {
        const [ref, view] = args;
        if (view.kind === 'progress' && view.progress.state === 'done' && refusedRefs.size === 0)
          refusedRefs.add(ref.messageId);
        if (refusedRefs.has(ref.messageId)) throw new ChatError('archived', 'is_archived');
        return port.edit(...args);
      },
    };
    const dead: string[] = [];
    await stack.startWorker({
      chat: { discord: chat },
      metrics: { ...noopMetrics, finalEditDeadLettered: (platform) => dead.push(platform) },
    });
    const [first] = await submitAll(1);
    await eventually(async () => (await attemptState(stack, first as string)) === 'done', 'the first attempt');
    const scope = `discord:${CHANNEL.channelId}`;
    await eventually(async () => (await stack.redis.hget(keys.finalEditScopes(), scope)) === null, 'the scope freed');
    expect(dead).toEqual(['discord']);
    expect(await stack.redis.hlen(keys.finalEditsDead())).toBe(1);
    // The next request in the same channel gets its progress edits again.
    stack.sim.knobs.holdQueue = true;
    const [second] = await submitAll(1);
    await eventually(async () => (await attemptState(stack, second as string)) === 'submitted', 'the second enqueue');
    const store = createRequestStore(stack.redis, keys);
    await eventually(async () => {
      const ref = (await store.getAttempt(second as string, 1))?.progressRef;
      return ref && stack.chat.find(ref)?.history.some((t) => t.includes('Sent to Oxen'));
    }, 'a progress edit of the second request');
    stack.sim.releaseQueue();
  });
});
