import type { Server } from 'node:http';
import { App, ExpressReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Application } from 'express';
import { familyCatalogue } from '../../core/family-catalogue.js';
import { noopMetrics } from '../../core/ports/metrics.js';
import type { PlatformAdapter } from '../../core/ports/platform-adapter.js';
import { refusal } from '../../core/refusal.js';
import { err } from '../../shared/result.js';
import type { ChatIntakeDeps } from '../platform.js';
import { registerAnimateCommand } from './animate-command.js';
import { slackErrorCode } from './chat-errors.js';
import { RecentIds, type SlackHandlerDeps } from './deps.js';
import { registerExtend } from './extend.js';
import { createSlackImageDownloader } from './files.js';
import { registerMention } from './mention.js';
import { registerReactions } from './reactions.js';
import { registerRemix } from './remix.js';
import { slackFormat } from './render.js';
import { toSlackLogger } from './slack-logger.js';

export { createSlackChatPort } from './chat-port.js';

/** Where Slack sends HTTP requests (the manifest's request URLs end in it). */
export const SLACK_EVENTS_PATH = '/slack/events';

/** Slack's per-file upload cap for `files.uploadV2` (1 GB). */
const SLACK_UPLOAD_LIMIT_BYTES = 1024 * 1024 * 1024;

/** Settings of the Slack intake (a slice of `Config`). */
export interface SlackAdapterConfig {
  /** `SLACK_BOT_TOKEN` (`xoxb-…`). */
  botToken: string;
  /** `SLACK_SIGNING_SECRET`: HTTP mode. */
  signingSecret?: string;
  /** `SLACK_APP_TOKEN` (`xapp-…`): Socket Mode, which wins when both are set. */
  appToken?: string;
  /** `SLACK_API_URL`. */
  apiUrl: string;
  /** HTTP mode without a shared express app: the port to listen on. @defaultValue 3000 */
  port?: number;
  /** WebClient retries of failed calls (tests: 0). @defaultValue 2 */
  retries?: number;
  /** See {@link SlackHandlerDeps.ackBudgetMs}. @defaultValue 2500 */
  ackBudgetMs?: number;
}

/** Collaborators of the Slack intake. */
export interface SlackAdapterDeps extends ChatIntakeDeps {
  /** The process's express app; Bolt's receiver is mounted on it at `/slack/events`. */
  expressApp?: Application;
}

/**
 * Wires Bolt: HTTP (an `ExpressReceiver` with signature checks, acking before processing) or Socket
 * Mode, and the three listeners (command/modal/shortcut, mention, reactions).
 * @see docs/platforms.md#slack-requests-and-signatures
 */
export function createSlackAdapter(cfg: SlackAdapterConfig, deps: SlackAdapterDeps): PlatformAdapter {
  const logger = deps.logger.child({ adapter: 'slack' });
  const slackLogger = toSlackLogger(logger);
  // Bolt hands clientOptions to the listeners' WebClient and, in Socket Mode, to the SocketModeClient.
  const clientOptions = {
    slackApiUrl: cfg.apiUrl,
    retryConfig: { retries: cfg.retries ?? 2, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
  };
  let connected = false;
  let server: Server | undefined;
  let socket: SocketModeReceiver | undefined;
  let http: ExpressReceiver | undefined;

  if (cfg.appToken) {
    socket = new SocketModeReceiver({
      appToken: cfg.appToken,
      logger: slackLogger,
      installerOptions: { clientOptions },
    });
    socket.client.on('connected', () => {
      connected = true;
    });
    socket.client.on('disconnected', () => {
      connected = false;
    });
  } else {
    if (!cfg.signingSecret) {
      throw new Error('Set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) to run the Slack bot.');
    }
    http = new ExpressReceiver({
      signingSecret: cfg.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      // Ack first, work after: processing before the response risks Slack's 3 s timeout (bolt-js#1548).
      processBeforeResponse: false,
      logger: slackLogger,
      ...(deps.expressApp ? { app: deps.expressApp } : {}),
    });
  }

  const receiver = socket ?? http;
  const app = new App({
    token: cfg.botToken,
    receiver,
    ...(socket ? { socketMode: true, appToken: cfg.appToken } : {}),
    clientOptions,
    logger: slackLogger,
    // auth.test runs in start(), not in the constructor, so a bad token fails start() with a message.
    deferInitialization: true,
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'slack: listener failed');
  });

  const handlerDeps: SlackHandlerDeps = {
    intake: deps.intake,
    models: deps.models ?? familyCatalogue(),
    price: deps.price,
    download: createSlackImageDownloader(deps.imageFetcher, cfg.botToken),
    logger,
    metrics: deps.metrics ?? noopMetrics,
    ackBudgetMs: cfg.ackBudgetMs ?? 2_500,
    uploadLimitBytes: SLACK_UPLOAD_LIMIT_BYTES,
    seen: new RecentIds(),
  };
  registerAnimateCommand(app, handlerDeps);
  registerMention(app, handlerDeps);
  registerReactions(app, handlerDeps);
  registerExtend(app, handlerDeps);
  registerRemix(app, handlerDeps);

  return {
    /**
     * A Slack file by its id, for a 🔁 after the input retention: files.info gives its current private
     * URL, downloaded with the bot token and checked like a new request's image. A deleted file
     * (`file_not_found`, `file_deleted`) is refused plainly.
     */
    async refetchImage(source, field, signal) {
      if (source.platform !== 'slack') return err(refusal('image_no_longer_kept', field));
      let url: string | null | undefined;
      try {
        const info = await app.client.files.info({ file: source.fileId });
        url = info.file?.url_private_download ?? info.file?.url_private;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return err(refusal('image_unreachable', field, { reason: `Slack's files.info failed (${reason})` }));
      }
      if (!url) return err(refusal('image_unreachable', field, { reason: 'Slack gave no URL for the file' }));
      return handlerDeps.download(url, field, signal);
    },
    platform: 'slack',
    capabilities: {
      actions: 'reactions',
      modals: true,
      privateReplies: true,
      threads: true,
      uploadLimitBytes: SLACK_UPLOAD_LIMIT_BYTES,
    },
    format: slackFormat,
    /** Checks the token (`auth.test`) and starts receiving (own server or socket when configured so). */
    async start() {
      try {
        await app.init();
      } catch (error) {
        const why = slackErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
        throw new Error(
          `Slack did not accept SLACK_BOT_TOKEN (auth.test: ${why}); check the token and SLACK_API_URL.`,
          {
            cause: error,
          },
        );
      }
      if (socket) {
        await app.start();
        connected = true;
      } else if (http && !deps.expressApp) {
        server = await http.start(cfg.port ?? 3000);
        connected = true;
      } else {
        connected = true;
      }
      logger.info({ mode: socket ? 'socket' : 'http' }, 'slack: receiving');
    },
    async stop() {
      connected = false;
      if (socket) await app.stop();
      else if (server) await http?.stop();
      server = undefined;
    },
    // HTTP mode: the token checked out; Socket Mode: the socket is open.
    health: () =>
      connected ? { connected: true } : { connected: false, detail: socket ? 'socket closed' : 'not started' },
  };
}
