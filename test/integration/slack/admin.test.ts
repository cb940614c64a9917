import { afterEach, describe, expect, it } from 'vitest';
import { slashCommand } from '../../fakes/slack/payloads.js';
import { postSlashCommand } from '../../fakes/slack/signed-request.js';
import { SIGNING_SECRET, type SlackHarness, startSlackHarness } from './harness.js';

/**
 * `/animate admin …` and the run-time settings on Slack end to end: signed requests into the real Bolt
 * receiver, the real intake on Redis, the Slack Web API fake (README.md, "Administration").
 */

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function slash(harness: SlackHarness, text: string, user = 'U0001') {
  const before = { responses: harness.slack.state.responses.length, views: harness.slack.state.views.length };
  await postSlashCommand(
    harness.eventsUrl,
    SIGNING_SECRET,
    slashCommand({ text, user, responseUrl: harness.slack.responseUrl() }),
  );
  await expect
    .poll(
      () => harness.slack.state.responses.length > before.responses || harness.slack.state.views.length > before.views,
    )
    .toBe(true);
  return harness.slack.state.views.length > before.views
    ? 'the form opened'
    : String(harness.slack.state.responses.at(-1)?.body.text);
}

describe('Slack: /animate admin end to end', () => {
  it('GIVEN the admin allows only a user group THEN its member gets the form and anyone else is told privately, with nothing sent to Oxen', async () => {
    const harness = await (async () =>
      (h = await startSlackHarness({ limits: { adminUserIds: ['slack:U0ADMIN'] } })))();
    harness.slack.state.userGroups.set('S0DESIGN', ['U0002']);

    const changed = await slash(harness, 'admin allow add <!subteam^S0DESIGN|@design>', 'U0ADMIN');
    expect(changed).toContain('Who may use it: slack-group:S0DESIGN');
    expect(await slash(harness, 'a kite', 'U0001')).toContain('limited who may use it');
    expect(await slash(harness, 'a kite', 'U0002')).toBe('the form opened');
    expect(harness.sim.counters.enqueue).toBe(0);
  });

  it('GIVEN a blocked person and a paused bot THEN each is refused with its own message, and resume lets people in again', async () => {
    const harness = await (async () =>
      (h = await startSlackHarness({ limits: { adminUserIds: ['slack:U0ADMIN'] } })))();
    expect(await slash(harness, 'admin block <@U0003|carol>', 'U0ADMIN')).toContain('Blocked: slack:U0003');
    expect(await slash(harness, 'a kite', 'U0003')).toContain('turned the bot off for you');
    expect(await slash(harness, 'admin pause Back on Monday', 'U0ADMIN')).toContain('Paused');
    expect(await slash(harness, 'a kite', 'U0001')).toContain('Back on Monday');
    expect(await slash(harness, 'admin resume', 'U0ADMIN')).toContain('Running');
    expect(await slash(harness, 'a kite', 'U0001')).toBe('the form opened');
  });

  it('GIVEN a non-admin sends /animate admin THEN nothing changes and the admin reads the attempt in the audit log', async () => {
    const harness = await (async () =>
      (h = await startSlackHarness({ limits: { adminUserIds: ['slack:U0ADMIN'] } })))();
    expect(await slash(harness, 'admin pause gotcha', 'U0001')).toContain("Only the bot's admins");
    expect(await slash(harness, 'admin show', 'U0ADMIN')).toContain('Running: new requests are taken');
    expect(await slash(harness, 'admin audit', 'U0ADMIN')).toContain('slack:U0001 admin_denied pause gotcha');
  });
});
