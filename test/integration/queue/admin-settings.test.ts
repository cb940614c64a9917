import { afterEach, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../../src/core/admin.js';
import { createOxenVisionCheck } from '../../../src/oxen/vision.js';
import { createIntake, type QueueIntake } from '../../../src/queue/intake.js';
import { createRedisConnection } from '../../../src/queue/stores/redis.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { eventually } from '../../support/eventually.js';
import { testRedisTarget } from '../../support/redis-target.js';
import { buildTestWorker } from '../../support/worker.js';
import { attemptState, createStack, pngImage, type Stack, submitInput } from './harness.js';

const ADMIN = { platform: 'discord' as const, userId: 'ADMIN', displayName: 'admin' };
const limits = { adminUserIds: ['discord:ADMIN'], maxActivePerUser: 5, dailySecondsPerUser: 600 };

describe('run-time settings', () => {
  let stack: Stack;
  let otherBot: QueueIntake;
  const others: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of others.splice(0)) await close();
    await stack.close();
  });

  /** A second bot process: its own connection and intake over the same prefix. */
  function secondBot(): QueueIntake {
    const redis = createRedisConnection(testRedisTarget(), { forWorker: false });
    otherBot = createIntake({ connection: redis, prefix: stack.prefix, limits });
    others.push(
      () => otherBot.close(),
      () => redis.quit(),
    );
    return otherBot;
  }

  const admin = (text: string) => runAdminCommand(stack.intake.admin, ADMIN, text, 'discord');

  it('GIVEN two bots and two workers WHEN an admin pauses on one bot THEN the other refuses new requests with the message, the running one finishes, and resume lets them in', async () => {
    stack = await createStack({ limits });
    await stack.startWorker();
    // A second worker process on its own connection, beside the stack's.
    const workerRedis = createRedisConnection(testRedisTarget(), { forWorker: true });
    const worker2 = buildTestWorker({
      connection: workerRedis,
      prefix: stack.prefix,
      oxen: stack.oxen,
      events: stack.events,
      chat: { discord: stack.chat.port },
    });
    others.push(
      () => worker2.close(),
      () => workerRedis.quit(),
    );
    const running = await stack.intake.submit(submitInput());
    if (!running.ok) throw new Error('refused');
    const bot2 = secondBot();

    const reply = await admin('pause Back after the demo at 3 pm');
    expect(reply.refused).toBeUndefined();
    expect(reply.text).toContain('Paused: new requests get "Back after the demo at 3 pm"');

    // Nothing is cached: the other bot's very next check reads the change.
    const refused = await bot2.submit(submitInput({}, 'U2'));
    expect(!refused.ok && refused.error.code).toBe('paused');
    expect(!refused.ok && refused.error.message).toContain('Back after the demo at 3 pm');
    const pre = await bot2.precheck(submitInput().requester, submitInput().where, 5);
    expect(!pre.ok && pre.error.code).toBe('paused');
    // An admin may still try the bot while it is paused.
    expect((await bot2.precheck(ADMIN, submitInput().where, 5)).ok).toBe(true);

    await eventually(
      async () => (await attemptState(stack, running.value.requestId)) === 'done',
      'the running one done',
    );

    await admin('resume');
    expect((await bot2.submit(submitInput({}, 'U2'))).ok).toBe(true);
  });

  it('GIVEN a blocked person, a channel list and a quota set at run time THEN each bot applies them at once', async () => {
    stack = await createStack({ limits });
    const bot2 = secondBot();
    await admin('block <@U3>');
    const blocked = await bot2.submit(submitInput({}, 'U3'));
    expect(!blocked.ok && blocked.error.code).toBe('user_blocked');
    expect((await bot2.submit(submitInput({}, 'U4'))).ok).toBe(true);

    await admin('channels add <#OK>');
    const elsewhere = await bot2.submit(submitInput({}, 'U4'));
    expect(!elsewhere.ok && elsewhere.error.code).toBe('channel_not_allowed');
    const inOk = await bot2.submit(
      submitInput({ where: { platform: 'discord', channelId: 'OK', threadId: null } }, 'U4'),
    );
    expect(inOk.ok).toBe(true);
    await admin('channels all');

    await admin('quota active 2');
    const third = await bot2.submit(submitInput({}, 'U4'));
    expect(!third.ok && third.error.code).toBe('user_active_limit');
    expect(!third.ok && third.error.message).toContain('the limit is 2');
    expect((await bot2.status(submitInput({}, 'U4').requester)).maxActive).toBe(2);
  });

  it('GIVEN an allow-list of a role THEN a member passes and someone without it is refused', async () => {
    stack = await createStack({ limits });
    await admin('allow add <@&ROLE1>');
    const { requester, where } = submitInput({}, 'U5');
    const without = await stack.intake.precheck(requester, where, 5, { membership: { isMember: async () => false } });
    expect(!without.ok && without.error.code).toBe('user_not_allowed');
    const member = await stack.intake.precheck(requester, where, 5, {
      membership: { isMember: async (entry) => entry === 'discord-role:ROLE1' },
    });
    expect(member.ok).toBe(true);
  });

  it('GIVEN a blocked word THEN a prompt with it (in any case or width) is refused without naming it, nothing reserved, and the audit log keeps only its hash', async () => {
    stack = await createStack({ limits });
    await admin('words add Spoiler');
    const { requester, where } = submitInput({}, 'U6');
    const refused = await stack.intake.precheck(requester, where, 5, { prompt: 'a huge ＳＰＯＩＬＥＲ reveal' });
    expect(!refused.ok && refused.error.code).toBe('prompt_blocked');
    expect(!refused.ok && refused.error.message.toLowerCase()).not.toContain('spoiler');
    // A word that merely contains it is not blocked.
    expect((await stack.intake.precheck(requester, where, 5, { prompt: 'spoilers ahead' })).ok).toBe(true);
    const submitted = await stack.intake.submit(submitInput({ prompt: 'the spoiler' }, 'U6'));
    expect(!submitted.ok && submitted.error.code).toBe('prompt_blocked');
    expect((await stack.intake.status(requester)).usedSecondsToday).toBe(0);

    const log = await stack.intake.admin.audit.recent(10);
    const policy = log.filter((e) => e.action === 'policy_refused');
    expect(policy).toHaveLength(2);
    expect(policy[0]?.who).toBe('discord:U6');
    expect(policy[0]?.prompt?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(policy[0]?.prompt?.text).toBeUndefined();
    expect(log.some((e) => e.action === 'settings_changed' && e.what === 'blockedWords')).toBe(true);
  });

  it('GIVEN a pattern that does not compile THEN it is refused at set time and nothing changes', async () => {
    stack = await createStack({ limits });
    const bad = await admin('patterns add (unclosed');
    expect(bad.refused?.code).toBe('admin_invalid');
    expect(bad.text).toContain('is not a valid regular expression');
    expect((await stack.intake.admin.settings.get()).blockedPatterns).toEqual([]);
    // A refused change writes nothing: the environment's values are still the ones in force.
    expect(await stack.redis.exists(`${stack.prefix}:animate:admin:settings`)).toBe(0);
    await admin('patterns add \\bgore\\w*');
    const { requester, where } = submitInput({}, 'U7');
    const refused = await stack.intake.precheck(requester, where, 5, { prompt: 'GOREFEST' });
    expect(!refused.ok && refused.error.code).toBe('prompt_blocked');
  });

  it('GIVEN a non-admin sends an admin command THEN nothing changes and the attempt is in the audit log', async () => {
    stack = await createStack({ limits });
    const forged = await runAdminCommand(
      stack.intake.admin,
      { platform: 'discord', userId: 'U8' },
      'pause gotcha',
      'discord',
    );
    expect(forged.refused?.code).toBe('admin_command_only');
    expect((await stack.intake.admin.settings.get()).paused).toBeNull();
    const [entry] = await stack.intake.admin.audit.recent(1);
    expect(entry).toMatchObject({ who: 'discord:U8', action: 'admin_denied', what: 'pause gotcha' });
    expect((await stack.intake.submit(submitInput({}, 'U8'))).ok).toBe(true);
  });

  it('GIVEN Oxen declines a generation on content grounds THEN the failure says the provider declined it and, as its row says, nothing was charged', async () => {
    stack = await createStack({ limits });
    stack.sim.knobs.failNext = 1;
    stack.sim.knobs.failMessage = 'Request rejected by the content moderation system';
    await stack.startWorker();
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'failed', 'the failure');
    const final = await eventually(
      () =>
        stack.chat.thread(input.where)[0]?.text.includes('nothing was charged') && stack.chat.thread(input.where)[0],
      'the final state with the charge',
    );
    expect(final.text).toContain('The provider declined this request');
    expect(final.text).not.toContain('React 🔁');
  });

  it('GIVEN the vision check turned on THEN a blocked image and prompt is refused before anything is reserved, its verdict asked of Oxen once, and its cost shown', async () => {
    stack = await createStack({ limits });
    const vision = createOxenVisionCheck({
      baseUrl: stack.sim.url,
      apiKey: stack.sim.apiKey,
      model: 'gemini-3-1-pro-preview',
      costMicros: 10_000,
      logger: silentLogger(),
    });
    const redis = createRedisConnection(testRedisTarget(), { forWorker: false });
    const bot = createIntake({ connection: redis, prefix: stack.prefix, limits, vision });
    others.push(
      () => bot.close(),
      () => redis.quit(),
    );
    const image = pngImage();
    const requester = submitInput({}, 'U9').requester;
    // Off by default: nothing is asked.
    expect((await bot.screen(requester, 'a cat', [image])).ok).toBe(true);
    expect(stack.sim.counters.chat).toBe(0);

    const on = await runAdminCommand(bot.admin, ADMIN, 'vision on', 'discord');
    expect(on.text).toContain('Vision check: on: gemini-3-1-pro-preview');
    expect(on.text).toContain('about $0.01 a check');
    stack.sim.knobs.chatReply = 'BLOCK';
    const refused = await bot.screen(requester, 'a cat', [image]);
    expect(!refused.ok && refused.error.code).toBe('vision_blocked');
    expect((await bot.screen(requester, 'a cat', [image])).ok).toBe(false);
    expect(stack.sim.counters.chat).toBe(1);
    stack.sim.knobs.chatReply = 'ALLOW';
    expect((await bot.screen(requester, 'a dog', [image])).ok).toBe(true);
    expect(stack.sim.counters.chat).toBe(2);
    expect(stack.sim.counters.enqueue + stack.sim.counters.upload).toBe(0);
    expect((await bot.status(requester)).usedSecondsToday).toBe(0);
    const [entry] = await bot.admin.audit.recent(1);
    expect(entry).toMatchObject({ who: 'discord:U9', action: 'policy_refused', what: 'vision_blocked' });
  });
});
