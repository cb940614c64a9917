import type { Application } from 'express';
import type { Redis } from 'ioredis';
import { familyCatalogue } from '../../core/family-catalogue.js';
import { DEFAULT_VIDEO_RETENTION_DAYS } from '../../core/gallery.js';
import type { CheckedImage } from '../../core/images.js';
import type { Intake } from '../../core/intake.js';
import type { MediaStore } from '../../core/ports/media-store.js';
import { type Metrics, noopMetrics } from '../../core/ports/metrics.js';
import type { ModelCatalogPort } from '../../core/ports/models.js';
import type { PlatformAdapter } from '../../core/ports/platform-adapter.js';
import type { PricePort } from '../../core/ports/price.js';
import type { Refusal, RefusalField } from '../../core/refusal.js';
import type { Logger } from '../../shared/logger.js';
import type { Result } from '../../shared/result.js';
import { signInMethods, type WebAccess } from './auth.js';
import { createWebChatPort } from './chat-port.js';
import { createEventStreams } from './events.js';
import { webFormat } from './render.js';
import { createWebRouter } from './routes.js';
import { createSessionStore } from './sessions.js';
import { createWebStore, WEB_CHANNEL } from './store.js';

export type { WebAccess } from './auth.js';
export { createWebChatPort } from './chat-port.js';
export { createWebStore } from './store.js';

/** Largest video the playground's channel takes; a larger one is re-encoded to fit, else linked. */
export const WEB_UPLOAD_LIMIT_BYTES = 25 * 1024 * 1024;

/** Settings of the web playground (a slice of `Config`). */
export interface WebAdapterConfig {
  /** QUEUE_PREFIX: the store's keys live under it, next to the queue's. */
  prefix: string;
  /** How people sign in (Discord, Slack, invites); none: this machine only. */
  access?: WebAccess;
  /** Where the playground's files live (the worker's outbox writes there too). @defaultValue DEFAULT_WEB_FILES_DIR on disk */
  media?: MediaStore;
  /** GALLERY_VISIBILITY. @defaultValue `own` */
  galleryVisibility?: 'own' | 'team';
  /** VIDEO_RETENTION_DAYS (the gallery page says it). @defaultValue {@link DEFAULT_VIDEO_RETENTION_DAYS} */
  videoRetentionDays?: number;
  /** @defaultValue {@link WEB_UPLOAD_LIMIT_BYTES} */
  uploadLimitBytes?: number;
}

/** Collaborators of the web playground. */
export interface WebAdapterDeps {
  intake: Intake;
  /** The models on offer. @defaultValue Kling O1 alone, as the family table knows it */
  models?: ModelCatalogPort | undefined;
  /** The prices the composer shows. */
  price?: PricePort | undefined;
  /** Checks an uploaded image's bytes by the input rules (the bot role passes src/media/check-image.ts). */
  checkImage(bytes: Uint8Array, field: RefusalField): Promise<Result<CheckedImage, Refusal>>;
  logger: Logger;
  metrics?: Metrics;
  /** The process's express app: the page (`/`), its API and event stream (`/web/…`) are mounted on it. */
  expressApp: Application;
  /** A connection of the adapter's own (it quits it on stop); the event stream subscribes on a duplicate. */
  redis: Redis;
}

/**
 * The web playground's intake: the bot's conversation in a browser, on the HTTP server the bot already
 * runs. People sign in as themselves (Discord, Slack or a personal invite; this machine's user when none
 * is configured), use `/animate` from
 * a composer and click reaction chips; the routes hand that to core exactly as the other adapters do,
 * and the worker answers through the web ChatPort into the same Redis store the pages read live.
 * @see docs/architecture.md ("How to add a platform")
 */
export function createWebAdapter(cfg: WebAdapterConfig, deps: WebAdapterDeps): PlatformAdapter {
  const logger = deps.logger.child({ adapter: 'web' });
  const store = createWebStore(deps.redis, cfg.prefix, cfg.media);
  const sessions = createSessionStore(deps.redis, cfg.prefix);
  const access = cfg.access ?? {};
  const events = createEventStreams(
    store,
    { valid: async (handle) => (await sessions.byHandle(handle)) !== null, onRevoked: sessions.onRevoked },
    logger,
  );
  const uploadLimitBytes = cfg.uploadLimitBytes ?? WEB_UPLOAD_LIMIT_BYTES;
  deps.expressApp.use(
    createWebRouter({
      store,
      chat: createWebChatPort({ store }),
      intake: deps.intake,
      models: deps.models ?? familyCatalogue(),
      price: deps.price,
      checkImage: deps.checkImage,
      access,
      sessions,
      gallery: {
        visibility: cfg.galleryVisibility ?? 'own',
        retentionDays: cfg.videoRetentionDays ?? DEFAULT_VIDEO_RETENTION_DAYS,
      },
      limiterRedis: deps.redis,
      prefix: cfg.prefix,
      logger,
      metrics: deps.metrics ?? noopMetrics,
      events,
    }),
  );
  let started = false;
  let sweep: NodeJS.Timeout | undefined;

  return {
    platform: 'web',
    capabilities: {
      actions: 'reactions',
      modals: true,
      // Refusals go back to the page that asked (next to the composer or the chip).
      privateReplies: true,
      threads: true,
      uploadLimitBytes,
    },
    format: webFormat,
    async start() {
      await store.ensureChannel({ id: WEB_CHANNEL, name: WEB_CHANNEL, uploadLimitBytes });
      await events.start();
      // Files past the keep time go (their descriptions in Redis expired with them); hourly is plenty.
      const sweepFiles = () =>
        store.sweepFiles().catch((error: unknown) => logger.warn({ err: error }, 'web: could not sweep old files'));
      void sweepFiles();
      sweep = setInterval(sweepFiles, 3_600_000);
      sweep.unref();
      started = true;
      const methods = signInMethods(access);
      logger.info(
        { path: '/', signIn: methods.length > 0 ? methods.join(', ') : 'this machine only' },
        'web: playground running',
      );
    },
    async stop() {
      started = false;
      clearInterval(sweep);
      await events.stop();
      await deps.redis.quit().catch(() => deps.redis.disconnect());
    },
    health: () => {
      if (!started) return { connected: false, detail: 'not started' };
      if (deps.redis.status !== 'ready') return { connected: false, detail: `redis ${deps.redis.status}` };
      return events.subscribed ? { connected: true } : { connected: false, detail: 'not subscribed' };
    },
  };
}
