import { ChannelType } from 'discord-api-types/v10';
import { type DiscordState, FAKE_IDS } from './state.js';

/**
 * The fake guild's channels: two text channels, a forum with one post (a thread, where message
 * threads cannot start) and a DM channel, for the negative cases of thread creation.
 */
export function seedChannels(state: DiscordState): void {
  const guildChannel = { guild_id: FAKE_IDS.guild, permission_overwrites: [], position: 0, nsfw: false, flags: 0 };
  state.channels.set(FAKE_IDS.textChannel, {
    ...guildChannel,
    id: FAKE_IDS.textChannel,
    type: ChannelType.GuildText,
    name: 'general',
    parent_id: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    topic: null,
  });
  state.channels.set(FAKE_IDS.otherChannel, {
    ...guildChannel,
    id: FAKE_IDS.otherChannel,
    type: ChannelType.GuildText,
    name: 'random',
    parent_id: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    topic: null,
  });
  state.channels.set(FAKE_IDS.forumChannel, {
    ...guildChannel,
    id: FAKE_IDS.forumChannel,
    type: ChannelType.GuildForum,
    name: 'showcase',
    parent_id: null,
    topic: null,
    rate_limit_per_user: 0,
    last_message_id: null,
    available_tags: [],
    default_reaction_emoji: null,
    default_sort_order: null,
    default_forum_layout: 0,
    default_thread_rate_limit_per_user: 0,
  } as never);
  state.channels.set(FAKE_IDS.forumPost, {
    id: FAKE_IDS.forumPost,
    type: ChannelType.PublicThread,
    guild_id: FAKE_IDS.guild,
    parent_id: FAKE_IDS.forumChannel,
    name: 'my cat',
    owner_id: FAKE_IDS.alice,
    flags: 0 as never,
    last_message_id: null,
    rate_limit_per_user: 0,
    thread_metadata: {
      archived: false,
      auto_archive_duration: 1440,
      archive_timestamp: '2026-01-01T00:00:00.000Z',
      locked: false,
    },
  });
  state.channels.set(FAKE_IDS.dmChannel, {
    id: FAKE_IDS.dmChannel,
    type: ChannelType.DM,
    last_message_id: null,
    flags: 0,
  } as never);
}
