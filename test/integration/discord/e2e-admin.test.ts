/**
 * The admin command and the run-time settings on Discord end to end: discord.js against the Discord fake,
 * the real intake and worker on Redis, the Oxen simulator (README.md, "Administration").
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FAKE_IDS } from '../../fakes/discord/state.js';
import { eventually } from '../../support/eventually.js';
import { makePng } from '../../support/images.js';
import { type DiscordStack, startDiscordStack } from './harness.js';

const ROLE = FAKE_IDS.animatorRole;

describe('discord: /animate-admin end to end', () => {
  let stack: DiscordStack;
  beforeEach(async () => {
    stack = await startDiscordStack({ limits: { adminUserIds: [`discord:${FAKE_IDS.admin}`] } });
  });
  afterEach(async () => stack?.close());

  const image = () =>
    stack.discord.attachment('cat.png', makePng(640, 480), { contentType: 'image/png', width: 640, height: 480 });
  const admin = async (command: string, userId: string = FAKE_IDS.admin) => {
    const id = stack.discord.command('animate-admin', { userId }, { command });
    return (await eventually(() => stack.discord.responses(id)[0], `the answer to "${command}"`)).content;
  };
  // The public defer shows first with no text; the answer is the first response with some.
  const firstAnswer = async (id: string) =>
    (await eventually(() => stack.discord.responses(id).find((m) => m.content !== ''), 'the answer to /animate'))
      .content;

  test('GIVEN the admin allows only a role THEN a member with it animates and one without is refused, with no call to Oxen', async () => {
    expect(await admin(`allow add <@&${ROLE}>`)).toContain(`Who may use it: discord-role:${ROLE}`);
    const without = stack.discord.animate({ image: image(), prompt: 'no role' }, { userId: FAKE_IDS.bob });
    expect(await firstAnswer(without)).toContain('limited who may use it');
    const withRole = stack.discord.animate(
      { image: image(), prompt: 'with the role' },
      { userId: FAKE_IDS.alice, roles: [ROLE] },
    );
    expect(await firstAnswer(withRole)).toContain('is animating');
    await eventually(() => [...stack.sim.rows.values()].some((r) => r.prompt === 'with the role'), 'the row');
    expect([...stack.sim.rows.values()].some((r) => r.prompt === 'no role')).toBe(false);
    expect(stack.sim.counters.enqueue).toBe(1);
  });

  test('GIVEN a channel gated by a role THEN only members with it animate there, and anyone animates in another channel', async () => {
    const changed = await admin(`allow add <@&${ROLE}> in <#${FAKE_IDS.textChannel}>`);
    expect(changed).toContain(`Who may use it in discord:${FAKE_IDS.textChannel}: discord-role:${ROLE}`);
    const here = stack.discord.animate({ image: image(), prompt: 'gated here' }, { userId: FAKE_IDS.bob });
    expect(await firstAnswer(here)).toContain('In this channel');
    const elsewhere = stack.discord.animate(
      { image: image(), prompt: 'in the other channel' },
      { userId: FAKE_IDS.bob, channelId: FAKE_IDS.otherChannel },
    );
    expect(await firstAnswer(elsewhere)).toContain('is animating');
    const member = stack.discord.animate(
      { image: image(), prompt: 'a member here' },
      { userId: FAKE_IDS.alice, roles: [ROLE] },
    );
    expect(await firstAnswer(member)).toContain('is animating');
    await eventually(() => stack.sim.counters.enqueue === 2, 'the two enqueues');
    expect([...stack.sim.rows.values()].some((r) => r.prompt === 'gated here')).toBe(false);
  });

  test('GIVEN a paused bot and a blocked word THEN /animate is refused with the admin’s message or without repeating the word, and Oxen sees nothing', async () => {
    expect(await admin('pause Maintenance until 15:00 UTC')).toContain('Paused');
    const paused = stack.discord.animate({ image: image(), prompt: 'a cat' });
    expect(await firstAnswer(paused)).toContain('Maintenance until 15:00 UTC');
    await admin('resume');
    await admin('words add kraken');
    const blocked = stack.discord.animate({ image: image(), prompt: 'release the KRAKEN' });
    const answer = await firstAnswer(blocked);
    expect(answer).toContain('words this team');
    expect(answer.toLowerCase()).not.toContain('kraken');
    // Nothing reached Oxen: no image uploaded, no generation enqueued.
    expect(stack.sim.counters.enqueue).toBe(0);
    expect(stack.sim.counters.upload).toBe(0);
  });

  test('GIVEN a non-admin calls /animate-admin THEN nothing changes and the attempt is in the audit log an admin reads', async () => {
    expect(await admin('block <@400000000000000002>', FAKE_IDS.alice)).toContain("Only the bot's admins");
    expect(await admin('show')).toContain('Blocked: nobody');
    const audit = await admin('audit 5');
    expect(audit).toContain(`discord:${FAKE_IDS.alice} admin_denied block`);
  });
});
