import { runAdminCommand } from '../../core/admin.js';
import type { Membership } from '../../core/admin-settings.js';
import { refusal } from '../../core/refusal.js';
import { renderRefusals } from '../../core/render-text.js';
import type { Logger } from '../../shared/logger.js';
import { type SlackClient, type SlackHandlerDeps, slackUser } from './deps.js';
import { slackFormat } from './render.js';

/**
 * Whether a Slack user is in a user group the admins allowed (`slack-group:S…`), asked of
 * `usergroups.users.list` (scope `usergroups:read`) only when the allow-list names a group. A group Slack
 * does not know, or a call that fails, counts as not a member: the person is refused, not let in.
 */
export function slackMembership(client: SlackClient, userId: string, logger: Logger): Membership {
  return {
    async isMember(entry) {
      if (!entry.startsWith('slack-group:')) return false;
      const usergroup = entry.slice('slack-group:'.length);
      try {
        const res = await client.usergroups.users.list({ usergroup });
        return (res.users ?? []).includes(userId);
      } catch (error) {
        logger.warn({ err: error, usergroup }, 'slack: reading a user group for the allow-list failed');
        return false;
      }
    },
  };
}

/** `/animate admin …`: the admin command, answered privately (README.md, "Administration"). */
export async function adminReply(
  deps: Pick<SlackHandlerDeps, 'intake' | 'logger'>,
  command: { user_id: string; user_name: string },
  rest: string,
): Promise<string> {
  try {
    const reply = await runAdminCommand(
      deps.intake.admin,
      slackUser(command.user_id, command.user_name),
      rest,
      'slack',
    );
    if (reply.refused?.code === 'admin_command_only') {
      deps.logger.warn({ user: command.user_id }, 'slack: a non-admin tried the admin command');
    }
    return reply.text;
  } catch (error) {
    deps.logger.error({ err: error }, 'slack: the admin command failed');
    return renderRefusals([refusal('service_unavailable')], slackFormat);
  }
}
