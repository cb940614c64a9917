import {
  type APIAttachment,
  type APIMessage,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  ComponentType,
  InteractionType,
} from 'discord-api-types/v10';
import { userObject } from './rest.js';
import { type DiscordState, FAKE_IDS } from './state.js';

/** Every permission (what the fake grants the app unless a test takes some away). */
export const ALL_PERMISSIONS = '2248473465835073';
/** Bits tests remove: Attach Files (1<<15), Create Public Threads (1<<35), Send in Threads (1<<38). */
export const PERMISSION_BITS = { attachFiles: 1n << 15n, createPublicThreads: 1n << 35n, sendInThreads: 1n << 38n };

/** Where and by whom an interaction happens. */
export interface InteractionContext {
  userId?: string;
  channelId?: string;
  /** Bitfield string of the app's permissions in the channel. @defaultValue {@link ALL_PERMISSIONS} */
  appPermissions?: string;
  attachmentSizeLimit?: number;
  /** Role ids the member holds in the guild (Discord sends them with every guild interaction). @defaultValue none */
  roles?: string[];
}

function channelPayload(state: DiscordState, channelId: string) {
  const channel = state.channels.get(channelId);
  if (!channel) throw new Error(`fake: unknown channel ${channelId}`);
  return { ...channel, permissions: ALL_PERMISSIONS };
}

/** The common part of an interaction dispatch. */
export function interactionBase(state: DiscordState, ctx: InteractionContext, id: string, token: string) {
  const userId = ctx.userId ?? FAKE_IDS.alice;
  const channelId = ctx.channelId ?? FAKE_IDS.textChannel;
  const channel = channelPayload(state, channelId);
  const inGuild = channel.type !== ChannelType.DM;
  const user = userObject(userId);
  return {
    id,
    application_id: FAKE_IDS.application,
    token,
    version: 1,
    channel_id: channelId,
    channel,
    ...(inGuild
      ? {
          guild_id: FAKE_IDS.guild,
          member: {
            user,
            roles: ctx.roles ?? [],
            joined_at: '2026-01-01T00:00:00.000Z',
            deaf: false,
            mute: false,
            flags: 0,
            permissions: ALL_PERMISSIONS,
          },
          guild_locale: 'en-US',
          context: 0,
        }
      : { user, context: 1 }),
    app_permissions: ctx.appPermissions ?? ALL_PERMISSIONS,
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': FAKE_IDS.guild },
    attachment_size_limit: ctx.attachmentSizeLimit ?? 10 * 1024 * 1024,
  };
}

/** Options of one `/animate` as a person fills them in. */
export interface AnimateOptions {
  image: APIAttachment;
  prompt: string;
  duration?: number;
  endImage?: APIAttachment;
  loop?: boolean;
  takes?: number;
  model?: string;
  sound?: boolean;
  shape?: string;
}

/** `data` of a `/animate` chat-input command. */
export function animateData(o: AnimateOptions) {
  const options: Array<{ name: string; type: number; value: string | number | boolean }> = [
    { name: 'image', type: ApplicationCommandOptionType.Attachment, value: o.image.id },
    { name: 'prompt', type: ApplicationCommandOptionType.String, value: o.prompt },
  ];
  if (o.duration !== undefined)
    options.push({ name: 'duration', type: ApplicationCommandOptionType.Integer, value: o.duration });
  if (o.loop !== undefined) options.push({ name: 'loop', type: ApplicationCommandOptionType.Boolean, value: o.loop });
  if (o.takes !== undefined)
    options.push({ name: 'takes', type: ApplicationCommandOptionType.Integer, value: o.takes });
  if (o.model !== undefined) options.push({ name: 'model', type: ApplicationCommandOptionType.String, value: o.model });
  if (o.sound !== undefined)
    options.push({ name: 'sound', type: ApplicationCommandOptionType.Boolean, value: o.sound });
  if (o.shape !== undefined) options.push({ name: 'shape', type: ApplicationCommandOptionType.String, value: o.shape });
  const attachments: Record<string, APIAttachment> = { [o.image.id]: o.image };
  if (o.endImage) {
    options.push({ name: 'end_image', type: ApplicationCommandOptionType.Attachment, value: o.endImage.id });
    attachments[o.endImage.id] = o.endImage;
  }
  return {
    type: InteractionType.ApplicationCommand,
    data: {
      id: '500000000000000001',
      name: 'animate',
      type: ApplicationCommandType.ChatInput,
      guild_id: FAKE_IDS.guild,
      options,
      resolved: { attachments },
    },
  };
}

/**
 * `data` of an `/animate` autocomplete: the options typed so far, `focused` the one being typed in
 * (Discord sends its partial value as a string).
 */
export function autocompleteData(focused: 'model' | 'duration', typed: string, model?: string) {
  const options: Array<{ name: string; type: number; value: string; focused?: boolean }> = [];
  if (model !== undefined && focused !== 'model') {
    options.push({ name: 'model', type: ApplicationCommandOptionType.String, value: model });
  }
  const type = focused === 'model' ? ApplicationCommandOptionType.String : ApplicationCommandOptionType.Integer;
  options.push({ name: focused, type, value: typed, focused: true });
  return {
    type: InteractionType.ApplicationCommandAutocomplete,
    data: {
      id: '500000000000000001',
      name: 'animate',
      type: ApplicationCommandType.ChatInput,
      guild_id: FAKE_IDS.guild,
      options,
    },
  };
}

/** `data` of a chat-input command (`/animations`, `/animate-defaults duration:10`), options by name. */
export function plainCommandData(name: string, options: Record<string, number | boolean | string> = {}) {
  const typed = Object.entries(options).map(([option, value]) => ({
    name: option,
    type:
      typeof value === 'boolean'
        ? ApplicationCommandOptionType.Boolean
        : typeof value === 'number'
          ? ApplicationCommandOptionType.Integer
          : ApplicationCommandOptionType.String,
    value,
  }));
  return {
    type: InteractionType.ApplicationCommand,
    data: {
      id: '500000000000000002',
      name,
      type: ApplicationCommandType.ChatInput,
      guild_id: FAKE_IDS.guild,
      ...(typed.length > 0 ? { options: typed } : {}),
    },
  };
}

/** `data` of a message context-menu command (by default "Animate image") on `message`. */
export function messageCommandData(message: APIMessage, name = 'Animate image') {
  return {
    type: InteractionType.ApplicationCommand,
    data: {
      id: name === 'Animate image' ? '500000000000000003' : '500000000000000004',
      name,
      type: ApplicationCommandType.Message,
      guild_id: FAKE_IDS.guild,
      target_id: message.id,
      resolved: { messages: { [message.id]: message } },
    },
  };
}

/**
 * `data` of a modal submission with text inputs by custom id, and files uploaded through labelled file
 * upload components (each resolved as an attachment, as Discord sends them).
 */
export function modalSubmitData(
  customId: string,
  fields: Record<string, string>,
  files: Record<string, APIAttachment> = {},
  selects: Record<string, string[]> = {},
) {
  const uploads = Object.entries(files);
  return {
    type: InteractionType.ModalSubmit,
    data: {
      custom_id: customId,
      components: [
        ...Object.entries(fields).map(([id, value]) => ({
          type: ComponentType.ActionRow,
          components: [{ type: ComponentType.TextInput, custom_id: id, value }],
        })),
        ...uploads.map(([id, att]) => ({
          type: ComponentType.Label,
          component: { type: ComponentType.FileUpload, custom_id: id, values: [att.id] },
        })),
        ...Object.entries(selects).map(([id, values]) => ({
          type: ComponentType.Label,
          component: { type: ComponentType.StringSelect, custom_id: id, values },
        })),
      ],
      ...(uploads.length > 0
        ? { resolved: { attachments: Object.fromEntries(uploads.map(([, att]) => [att.id, att])) } }
        : {}),
    },
  };
}
