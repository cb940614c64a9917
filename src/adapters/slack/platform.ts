import { definePlatform } from '../platform.js';
import { checkSlackCredentials } from './credentials.js';
import { slackSettings } from './settings.js';

/**
 * Slack for the registry (src/adapters/registry.ts). `chat.update` is Tier 3, about 50 a minute per
 * workspace, and one bot token serves one workspace, so every request shares one budget. Counted in fixed
 * windows, which let up to two windows' worth through across a window's edge: 10 per 15 s is at most 50
 * in any minute.
 */
export const slackPlatform = definePlatform({
  settings: slackSettings,
  traits: { editBudget: { points: 10, windowSeconds: 15 }, editScope: 'deployment' },
  async createAdapter(values, deps) {
    const { createSlackAdapter } = await import('./index.js');
    return createSlackAdapter(
      {
        botToken: values.SLACK_BOT_TOKEN ?? '',
        apiUrl: values.SLACK_API_URL,
        ...(values.SLACK_SIGNING_SECRET ? { signingSecret: values.SLACK_SIGNING_SECRET } : {}),
        ...(values.SLACK_APP_TOKEN ? { appToken: values.SLACK_APP_TOKEN } : {}),
      },
      deps,
    );
  },
  async createChatPort(values, { logger }) {
    const { createSlackChatPort } = await import('./index.js');
    return createSlackChatPort({ token: values.SLACK_BOT_TOKEN ?? '', apiUrl: values.SLACK_API_URL, logger });
  },
  checkCredentials: checkSlackCredentials,
});
