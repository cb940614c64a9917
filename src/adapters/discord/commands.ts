import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIApplicationCommandsJSONBody,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import {
  ADMIN_COMMAND,
  ANIMATE_COMMAND,
  ANIMATE_MESSAGE_COMMAND,
  ANIMATIONS_COMMAND,
  DEFAULTS_COMMAND,
  HELP_COMMAND,
} from '../../core/commands.js';
import { SHAPE_CHOICES } from '../../core/model-choices.js';

/**
 * The message command that continues a delivered video from its last frame, with the prompt prefilled
 * (docs/architecture.md, "Takes, loop and extend").
 */
export const EXTEND_VIDEO_COMMAND = { name: 'Extend video' } as const;

/**
 * The message command that remixes a delivered video: a modal prefilled with its options (README.md,
 * "Remix"). A reaction cannot open a modal, so 🔀 is this command.
 */
export const REMIX_VIDEO_COMMAND = { name: 'Remix video' } as const;

const o = ANIMATE_COMMAND.options;

/**
 * `/animate image prompt [duration] [end_image] [loop] [takes] [model] [sound] [shape]`. Option names are
 * what the handler reads; `model` and `duration` are suggested by autocomplete from the live catalogue.
 */
export const animateCommand = {
  type: ApplicationCommandType.ChatInput,
  name: ANIMATE_COMMAND.name,
  description: ANIMATE_COMMAND.description,
  // Guild text channels only: threads cannot be started in DMs, and the bot's uploads need a channel.
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [
    { type: ApplicationCommandOptionType.Attachment, name: 'image', description: o.image.description, required: true },
    {
      type: ApplicationCommandOptionType.String,
      name: 'prompt',
      description: o.prompt.description,
      required: true,
      min_length: o.prompt.minLength,
      max_length: o.prompt.maxLength,
    },
    // Suggested as the chosen model allows (autocomplete), since the lengths differ from model to model.
    {
      type: ApplicationCommandOptionType.Integer,
      name: 'duration',
      description: o.duration.description,
      required: false,
      autocomplete: true,
      min_value: 1,
      max_value: o.duration.max,
    },
    {
      type: ApplicationCommandOptionType.Attachment,
      name: 'end_image',
      description: o.endImage.description,
      required: false,
    },
    { type: ApplicationCommandOptionType.Boolean, name: 'loop', description: o.loop.description, required: false },
    {
      type: ApplicationCommandOptionType.String,
      name: 'model',
      description: o.model.description,
      required: false,
      autocomplete: true,
    },
    { type: ApplicationCommandOptionType.Boolean, name: 'sound', description: o.sound.description, required: false },
    {
      type: ApplicationCommandOptionType.String,
      name: 'shape',
      description: o.shape.description,
      required: false,
      choices: SHAPE_CHOICES.map((s) => ({ name: s.label, value: s.value })),
    },
    {
      type: ApplicationCommandOptionType.Integer,
      name: 'takes',
      description: o.takes.description,
      required: false,
      min_value: o.takes.min,
      max_value: o.takes.max,
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** Right-click a message → Apps → "Animate image": opens a modal for the prompt and duration. */
export const animateMessageCommand = {
  type: ApplicationCommandType.Message,
  name: ANIMATE_MESSAGE_COMMAND.name,
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
} satisfies RESTPostAPIContextMenuApplicationCommandsJSONBody;

/** Right-click the bot's video → Apps → "Extend video": a modal with the prompt prefilled and the duration. */
export const extendMessageCommand = {
  type: ApplicationCommandType.Message,
  name: EXTEND_VIDEO_COMMAND.name,
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
} satisfies RESTPostAPIContextMenuApplicationCommandsJSONBody;

/** Right-click the bot's video → Apps → "Remix video": a modal prefilled with the video's options. */
export const remixMessageCommand = {
  type: ApplicationCommandType.Message,
  name: REMIX_VIDEO_COMMAND.name,
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
} satisfies RESTPostAPIContextMenuApplicationCommandsJSONBody;

/**
 * `/animate-defaults [model] [duration] [sound] [shape] [loop] [takes] [clear]`: the channel's defaults, shown to anyone and
 * changed by admins. A command of its own: `/animate` keeps its options, and a command with options
 * cannot also have subcommands.
 */
export const defaultsCommand = {
  type: ApplicationCommandType.ChatInput,
  name: DEFAULTS_COMMAND.name,
  description: DEFAULTS_COMMAND.description,
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'model',
      description: DEFAULTS_COMMAND.options.model.description,
      required: false,
      autocomplete: true,
    },
    // Suggested as the chosen (or default) model allows, like /animate's; core checks it on saving.
    {
      type: ApplicationCommandOptionType.Integer,
      name: 'duration',
      description: DEFAULTS_COMMAND.options.duration.description,
      required: false,
      autocomplete: true,
      min_value: 1,
      max_value: o.duration.max,
    },
    {
      type: ApplicationCommandOptionType.Boolean,
      name: 'sound',
      description: DEFAULTS_COMMAND.options.sound.description,
      required: false,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'shape',
      description: DEFAULTS_COMMAND.options.shape.description,
      required: false,
      choices: SHAPE_CHOICES.map((s) => ({ name: s.label, value: s.value })),
    },
    {
      type: ApplicationCommandOptionType.Boolean,
      name: 'loop',
      description: DEFAULTS_COMMAND.options.loop.description,
      required: false,
    },
    {
      type: ApplicationCommandOptionType.Integer,
      name: 'takes',
      description: DEFAULTS_COMMAND.options.takes.description,
      required: false,
      min_value: o.takes.min,
      max_value: o.takes.max,
    },
    {
      type: ApplicationCommandOptionType.Boolean,
      name: 'clear',
      description: DEFAULTS_COMMAND.options.clear.description,
      required: false,
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/**
 * `/animate-admin [command]`: the run-time settings. Visible by default to members with Manage Server
 * (a server's owners may give it to others in the server's integration settings); whether it changes
 * anything is still decided by ADMIN_USER_IDS, and anyone else's call is refused and recorded.
 */
export const adminCommand = {
  type: ApplicationCommandType.ChatInput,
  name: ADMIN_COMMAND.name,
  description: ADMIN_COMMAND.description,
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'command',
      description: ADMIN_COMMAND.options.command.description,
      required: false,
      max_length: 1000,
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** `/animations`: the caller's generations in flight and quota left, ephemerally. */
export const animationsCommand = {
  type: ApplicationCommandType.ChatInput,
  name: ANIMATIONS_COMMAND.name,
  description: ANIMATIONS_COMMAND.description,
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [
    {
      type: ApplicationCommandOptionType.Boolean,
      name: 'spend',
      description: ANIMATIONS_COMMAND.options.spend.description,
      required: false,
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** `/help`: the same help as Slack's `/animate help`, in Discord's words, ephemerally. */
export const helpCommand = {
  type: ApplicationCommandType.ChatInput,
  name: HELP_COMMAND.name,
  description: HELP_COMMAND.description,
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** Every Discord command, as the bulk-overwrite endpoint takes them. */
export const discordCommands: RESTPostAPIApplicationCommandsJSONBody[] = [
  animateCommand,
  animateMessageCommand,
  extendMessageCommand,
  remixMessageCommand,
  animationsCommand,
  defaultsCommand,
  adminCommand,
  helpCommand,
];
