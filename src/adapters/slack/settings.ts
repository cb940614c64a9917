import { z } from 'zod';
import { envUrl, platformSettings } from '../../core/platform-settings.js';

/** Slack's variables, secrets, credentials and attachment hosts (src/core/platform-settings.ts). */
export const slackSettings = platformSettings({
  env: {
    SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'must be a bot token (xoxb-…)').optional(),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'must be an app-level token (xapp-…)').optional(),
    SLACK_API_URL: envUrl.default('https://slack.com/api/'),
  },
  secretKeys: ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'],
  // HTTP events need the signing secret, Socket Mode the app token: either makes Slack run.
  enabled: (c) => Boolean(c.SLACK_BOT_TOKEN && (c.SLACK_SIGNING_SECRET || c.SLACK_APP_TOKEN)),
  external: true,
  downloadHosts: ['files.slack.com'],
  problems(raw) {
    const problems: string[] = [];
    if (raw.SLACK_BOT_TOKEN && !raw.SLACK_SIGNING_SECRET && !raw.SLACK_APP_TOKEN) {
      problems.push(
        'SLACK_SIGNING_SECRET or SLACK_APP_TOKEN: one is required when SLACK_BOT_TOKEN is set (HTTP or Socket Mode)',
      );
    }
    if ((raw.SLACK_SIGNING_SECRET || raw.SLACK_APP_TOKEN) && !raw.SLACK_BOT_TOKEN) {
      problems.push('SLACK_BOT_TOKEN: required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set');
    }
    return problems;
  },
});
