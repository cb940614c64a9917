import type { Express } from 'express';
import { createDiscordAdapter, createDiscordChatPort } from '../adapters/discord/index.js';
import { createSlackAdapter, createSlackChatPort } from '../adapters/slack/index.js';
import { type Config, enabledPlatforms } from '../config/env.js';
import type { Intake } from '../core/intake.js';
import type { Platform } from '../core/model.js';
import type { ChatPort } from '../core/ports/chat-port.js';
import type { ImageFetcher } from '../core/ports/image-fetcher.js';
import type { Metrics } from '../core/ports/metrics.js';
import type { Logger } from '../shared/logger.js';

/** A running platform intake, as the bot role sees it. */
export interface RunningAdapter {
  platform: Platform;
  start(): Promise<void>;
  stop(): Promise<void>;
  isConnected(): boolean;
}

/** The outbox of every platform that has credentials, for the worker. */
export function createChatPorts(config: Config, logger: Logger): Partial<Record<Platform, ChatPort>> {
  const chat: Partial<Record<Platform, ChatPort>> = {};
  const enabled = enabledPlatforms(config);
  if (enabled.includes('discord') && config.DISCORD_TOKEN) {
    chat.discord = createDiscordChatPort({ token: config.DISCORD_TOKEN, apiUrl: config.DISCORD_API_URL, logger });
  }
  if (enabled.includes('slack') && config.SLACK_BOT_TOKEN) {
    chat.slack = createSlackChatPort({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL, logger });
  }
  return chat;
}

/** What the platform intakes need. */
export interface AdapterDeps {
  intake: Intake;
  imageFetcher: ImageFetcher;
  logger: Logger;
  metrics: Metrics;
  /** The shared express app; Slack's HTTP receiver mounts `/slack/events` on it. */
  expressApp: Express;
}

/** Creates (does not start) the intake of every platform that has credentials. */
export function createAdapters(config: Config, deps: AdapterDeps): RunningAdapter[] {
  const adapters: RunningAdapter[] = [];
  const enabled = enabledPlatforms(config);
  const { intake, imageFetcher, logger, metrics } = deps;
  if (enabled.includes('discord') && config.DISCORD_TOKEN) {
    const discord = createDiscordAdapter(
      { token: config.DISCORD_TOKEN, apiUrl: config.DISCORD_API_URL },
      { intake, imageFetcher, logger, metrics },
    );
    adapters.push({ platform: 'discord', ...bind(discord) });
  }
  if (enabled.includes('slack') && config.SLACK_BOT_TOKEN) {
    const slack = createSlackAdapter(
      {
        botToken: config.SLACK_BOT_TOKEN,
        apiUrl: config.SLACK_API_URL,
        ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}),
        ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
      },
      { intake, imageFetcher, logger, metrics, expressApp: deps.expressApp },
    );
    adapters.push({ platform: 'slack', ...bind(slack) });
  }
  return adapters;
}

function bind(adapter: Omit<RunningAdapter, 'platform'>): Omit<RunningAdapter, 'platform'> {
  return {
    start: () => adapter.start(),
    stop: () => adapter.stop(),
    isConnected: () => adapter.isConnected(),
  };
}
