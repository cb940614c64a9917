import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHORTCUT_CALLBACK_ID } from '../../../../src/adapters/slack/animate-command.js';
import { EXTEND_SHORTCUT_CALLBACK_ID, EXTEND_SHORTCUT_NAME } from '../../../../src/adapters/slack/extend.js';
import { SLACK_EVENTS_PATH } from '../../../../src/adapters/slack/index.js';
import { REMIX_SHORTCUT_CALLBACK_ID, REMIX_SHORTCUT_NAME } from '../../../../src/adapters/slack/remix.js';

const manifest = JSON.parse(readFileSync('commands/slack-manifest.json', 'utf8')) as {
  features: {
    slash_commands: Array<{ command: string; url: string; usage_hint?: string }>;
    shortcuts: Array<{ callback_id: string; type: string }>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
    socket_mode_enabled: boolean;
  };
};

const dir = 'src/adapters/slack';
const source = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(join(dir, f), 'utf8'))
  .join('\n');

/**
 * Scopes each Web API method and event needs (each Web API method's page on docs.slack.dev lists them). A method the code
 * starts calling that is missing here fails the test, so the manifest cannot silently fall behind.
 */
const METHOD_SCOPES: Record<string, string[]> = {
  'chat.postMessage': ['chat:write', 'chat:write.public'],
  'chat.postEphemeral': ['chat:write'],
  'chat.update': ['chat:write'],
  'views.open': [],
  'reactions.add': ['reactions:write'],
  // Reads the thread to find an earlier post with the same idempotency key (public and private channels).
  'conversations.replies': ['channels:history', 'groups:history'],
  // files.uploadV2's steps, taken by the chat port so the video streams from disk.
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
  // A 🔁 after the input retention reads a file again by its id.
  'files.info': ['files:read'],
  // Who is in a user group the admins allowed (README.md, "Administration").
  'usergroups.users.list': ['usergroups:read'],
};
const EVENT_SCOPES: Record<string, string> = { app_mention: 'app_mentions:read', reaction_added: 'reactions:read' };
/** Needed without a method call: the slash command and shortcut, and reading files (url_private, file_input). */
const FEATURE_SCOPES = ['commands', 'files:read'];

const used = {
  methods: new Set([...source.matchAll(/client\.((?:\w+\.)+\w+)\(/g)].map((m) => m[1] ?? '')),
  events: new Set([...source.matchAll(/app\.event\('(\w+)'/g)].map((m) => m[1] ?? '')),
  commands: new Set([...source.matchAll(/app\.command\('([^']+)'/g)].map((m) => m[1] ?? '')),
};

describe('commands/slack-manifest.json', () => {
  it('should list exactly the bot scopes the code needs', () => {
    const needed = new Set(FEATURE_SCOPES);
    for (const method of used.methods) {
      expect(METHOD_SCOPES, `scope table lacks ${method}`).toHaveProperty([method]);
      for (const s of METHOD_SCOPES[method] ?? []) needed.add(s);
    }
    for (const e of used.events) needed.add(EVENT_SCOPES[e] ?? `unknown scope for ${e}`);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('should subscribe to every event the code listens to, and only those', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...used.events].sort());
  });

  it('should declare the slash command with a usage hint and the message shortcut', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([...used.commands]);
    expect(manifest.features.slash_commands[0]?.usage_hint).toBeTruthy();
    expect(manifest.features.shortcuts).toContainEqual(
      expect.objectContaining({
        callback_id: EXTEND_SHORTCUT_CALLBACK_ID,
        type: 'message',
        name: EXTEND_SHORTCUT_NAME,
      }),
    );
    expect(manifest.features.shortcuts).toContainEqual(
      expect.objectContaining({ callback_id: SHORTCUT_CALLBACK_ID, type: 'message' }),
    );
    expect(manifest.features.shortcuts).toContainEqual(
      expect.objectContaining({ callback_id: REMIX_SHORTCUT_CALLBACK_ID, type: 'message', name: REMIX_SHORTCUT_NAME }),
    );
  });

  it('should send every request to the receiver path, with HTTP mode as the default', () => {
    const urls = [
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      ...manifest.features.slash_commands.map((c) => c.url),
    ];
    for (const url of urls) expect(new URL(url).pathname).toBe(SLACK_EVENTS_PATH);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });
});
