import {
  Client,
  Events,
  GatewayDispatchEvents,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  Partials,
} from 'discord.js';
import { ADMIN_COMMAND, DEFAULTS_COMMAND, HELP_COMMAND } from '../../core/commands.js';
import type { PlatformAdapter } from '../../core/ports/platform-adapter.js';
import { refusal } from '../../core/refusal.js';
import { renderRefusals } from '../../core/render-text.js';
import { type ChatIntakeDeps, chatHandlerDeps } from '../platform.js';
import { handleAdminCommand } from './admin.js';
import {
  handleAnimateAutocomplete,
  handleAnimateCommand,
  handleAnimationsCommand,
  handleDefaultsCommand,
} from './animate-command.js';
import { createDiscordChatPort } from './chat-port.js';
import { EXTEND_VIDEO_COMMAND, REMIX_VIDEO_COMMAND } from './commands.js';
import { handleAnimateMessageCommand, handleAnimateModal, MODAL_PREFIX } from './context-menu.js';
import { DEFAULT_ATTACHMENT_LIMIT, type DiscordHandlerDeps } from './deps.js';
import { EXTEND_MODAL_PREFIX, handleExtendMessageCommand, handleExtendModal } from './extend-menu.js';
import { handleReaction } from './reactions.js';
import { registerDiscordCommands, registrationTarget } from './register-commands.js';
import { handleRemixMessageCommand, handleRemixModal, REMIX_MODAL_PREFIX } from './remix-menu.js';
import { discordFormat, discordHelpText } from './render.js';

export { createDiscordChatPort } from './chat-port.js';

/** Settings of the Discord intake (a slice of `Config`). */
export interface DiscordAdapterConfig {
  /** `DISCORD_TOKEN`. */
  token: string;
  /** `DISCORD_API_URL` (no version suffix). */
  apiUrl: string;
  /** REST retries (tests: 0). @defaultValue 3 */
  retries?: number;
  /** How long login waits for guilds before `clientReady`. @defaultValue 15_000 */
  waitGuildTimeoutMs?: number;
  /**
   * `DISCORD_REGISTER_COMMANDS=on`: register the commands at start, as `npm run commands:deploy` does
   * (`DISCORD_APPLICATION_ID`, and `DISCORD_DEV_GUILD_ID` for one guild). Unset: registers nothing.
   */
  registerCommands?: { applicationId: string; guildId?: string };
}

/** Collaborators of the Discord intake. */
export type DiscordAdapterDeps = ChatIntakeDeps;

/**
 * Wires discord.js: the gateway (commands, modals, raw reactions) to the handlers. Intents are the
 * unprivileged Guilds + GuildMessageReactions (+ DMs).
 * @see docs/platforms.md#discord
 */
export function createDiscordAdapter(cfg: DiscordAdapterConfig, deps: DiscordAdapterDeps): PlatformAdapter {
  const logger = deps.logger.child({ adapter: 'discord' });
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessageReactions,
      GatewayIntentBits.DirectMessageReactions,
    ],
    partials: [Partials.Channel, Partials.Message, Partials.Reaction, Partials.User],
    rest: { api: cfg.apiUrl, retries: cfg.retries ?? 3 },
    waitGuildTimeout: cfg.waitGuildTimeoutMs ?? 15_000,
  });
  const chat = createDiscordChatPort({ token: cfg.token, apiUrl: cfg.apiUrl, logger, retries: cfg.retries ?? 3 });
  const handlerDeps: DiscordHandlerDeps = {
    ...chatHandlerDeps(deps, logger),
    chat,
  };

  async function onInteraction(interaction: Interaction): Promise<void> {
    if (
      interaction.isAutocomplete() &&
      (interaction.commandName === 'animate' || interaction.commandName === DEFAULTS_COMMAND.name)
    ) {
      await handleAnimateAutocomplete(interaction, handlerDeps);
    } else if (interaction.isChatInputCommand() && interaction.commandName === 'animate') {
      await handleAnimateCommand(interaction, handlerDeps);
    } else if (interaction.isChatInputCommand() && interaction.commandName === 'animations') {
      await handleAnimationsCommand(interaction, handlerDeps);
    } else if (interaction.isChatInputCommand() && interaction.commandName === HELP_COMMAND.name) {
      await interaction.reply({ content: discordHelpText(), flags: MessageFlags.Ephemeral });
    } else if (interaction.isMessageContextMenuCommand() && interaction.commandName === 'Animate image') {
      await handleAnimateMessageCommand(interaction);
    } else if (interaction.isModalSubmit() && interaction.customId.startsWith(`${MODAL_PREFIX}:`)) {
      await handleAnimateModal(interaction, handlerDeps);
    } else if (interaction.isMessageContextMenuCommand() && interaction.commandName === EXTEND_VIDEO_COMMAND.name) {
      await handleExtendMessageCommand(interaction, client.user?.id ?? '');
    } else if (interaction.isModalSubmit() && interaction.customId.startsWith(`${EXTEND_MODAL_PREFIX}:`)) {
      await handleExtendModal(interaction, handlerDeps);
    } else if (interaction.isMessageContextMenuCommand() && interaction.commandName === REMIX_VIDEO_COMMAND.name) {
      await handleRemixMessageCommand(interaction, handlerDeps);
    } else if (interaction.isModalSubmit() && interaction.customId.startsWith(`${REMIX_MODAL_PREFIX}:`)) {
      await handleRemixModal(interaction, handlerDeps);
    } else if (interaction.isChatInputCommand() && interaction.commandName === DEFAULTS_COMMAND.name) {
      await handleDefaultsCommand(interaction, handlerDeps);
    } else if (interaction.isChatInputCommand() && interaction.commandName === ADMIN_COMMAND.name) {
      await handleAdminCommand(interaction, handlerDeps);
    }
  }

  client.on(Events.InteractionCreate, (interaction) => {
    onInteraction(interaction).catch(async (error: unknown) => {
      logger.error({ err: error, interactionId: interaction.id }, 'discord: interaction failed');
      if (!interaction.isRepliable()) return;
      const content = renderRefusals([refusal('service_unavailable')], discordFormat);
      try {
        if (interaction.deferred || interaction.replied)
          await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
        else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
      } catch (replyError) {
        logger.warn({ err: replyError }, 'discord: could not report the failure');
      }
    });
  });
  // Raw gateway event: fires for threads and messages discord.js has never cached (after a restart).
  client.ws.on(GatewayDispatchEvents.MessageReactionAdd, (data) => {
    handleReaction(data, client.user?.id ?? '', handlerDeps).catch((error: unknown) => {
      logger.error({ err: error }, 'discord: reaction failed');
    });
  });
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord: client error'));

  /**
   * A failure is logged and the bot starts anyway: commands registered earlier keep working, and the
   * gateway login reports a bad token on its own.
   */
  async function registerCommands(registration: { applicationId: string; guildId?: string }): Promise<void> {
    // Fixed messages, for log searches; which commands and where (guild or globally) are fields.
    const target = registrationTarget(registration);
    try {
      const registered = await registerDiscordCommands({ token: cfg.token, apiUrl: cfg.apiUrl, ...registration });
      logger.info({ commands: registered.map((c) => c.name), target }, 'discord commands registered');
    } catch (error) {
      logger.error({ err: error, target }, 'discord commands: registration failed; the ones registered before stay');
    }
  }

  return {
    platform: 'discord',
    capabilities: {
      actions: 'reactions',
      modals: true,
      // Ephemeral answers exist only for interactions: a reaction gets a public note, or none.
      privateReplies: false,
      threads: true,
      uploadLimitBytes: DEFAULT_ATTACHMENT_LIMIT,
    },
    format: discordFormat,
    async start() {
      if (cfg.registerCommands) await registerCommands(cfg.registerCommands);
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(cfg.token);
      await ready;
      logger.info({ user: client.user?.tag }, 'discord: connected');
    },
    async stop() {
      await client.destroy();
    },
    health: () => (client.isReady() ? { connected: true } : { connected: false, detail: 'gateway not ready' }),
  };
}
