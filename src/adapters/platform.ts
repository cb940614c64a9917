import type { Express } from 'express';
import type { z } from 'zod';
import { familyCatalogue } from '../core/family-catalogue.js';
import type { Intake } from '../core/intake.js';
import type { AnyPlatformSettings, PlatformSettings } from '../core/platform-settings.js';
import type { PlatformTraits } from '../core/platforms.js';
import type { ChatPort } from '../core/ports/chat-port.js';
import type { ImageFetcher } from '../core/ports/image-fetcher.js';
import type { MediaStore } from '../core/ports/media-store.js';
import { type Metrics, noopMetrics } from '../core/ports/metrics.js';
import type { ModelCatalogPort } from '../core/ports/models.js';
import type { PlatformAdapter } from '../core/ports/platform-adapter.js';
import type { PricePort } from '../core/ports/price.js';
import type { RedisClient } from '../queue/stores/redis.js';
import type { Logger } from '../shared/logger.js';

/** Opens one more connection to the deployment's Redis (src/roles/redis-target.ts builds it). */
export type OpenRedis = (name: string, options?: { forWorker?: boolean }) => RedisClient;

/** What a platform's intake gets from the bot role. */
export interface AdapterDeps {
  intake: Intake;
  /** The models on offer (each platform's pickers and the request check). */
  models: ModelCatalogPort;
  /** The prices the pickers show. */
  price: PricePort;
  imageFetcher: ImageFetcher;
  logger: Logger;
  metrics: Metrics;
  /**
   * The process's express app, for platforms whose events arrive over HTTP (Slack's `/slack/events`, a
   * Telegram webhook, a web playground's routes and event stream).
   */
  expressApp: Express;
  /** Opens a connection to the deployment's Redis (the playground keeps its conversation there). */
  openRedis: OpenRedis;
  /** Where the playground keeps its files (the bucket with IMAGE_STORE=s3); unset: DATA_DIR/web. */
  media?: MediaStore | undefined;
}

/**
 * What a chat platform's intake (Discord, Slack, Telegram) is built from: the bot role passes its
 * {@link AdapterDeps}; tests and benches may leave out the models, the prices and the metrics.
 */
export interface ChatIntakeDeps {
  intake: Intake;
  /** The models on offer. @defaultValue Kling O1 alone, as the family table knows it */
  models?: ModelCatalogPort | undefined;
  /** The prices the pickers and the help show. */
  price?: PricePort | undefined;
  imageFetcher: ImageFetcher;
  logger: Logger;
  metrics?: Metrics;
}

/** What a chat platform's handlers get, built once in its `index.ts`: the intake's deps, defaults filled. */
export type ChatHandlerDeps = Omit<ChatIntakeDeps, 'models' | 'metrics'> & {
  /** The models on offer (the pickers, the help's list and the request check). */
  models: ModelCatalogPort;
  metrics: Metrics;
};

/** The handlers' deps from the intake's, with the defaults filled: the family table's models, no metrics. */
export function chatHandlerDeps(deps: ChatIntakeDeps, logger: Logger): ChatHandlerDeps {
  return {
    intake: deps.intake,
    models: deps.models ?? familyCatalogue(),
    price: deps.price,
    imageFetcher: deps.imageFetcher,
    logger,
    metrics: deps.metrics ?? noopMetrics,
  };
}

/** What a platform's outbox gets from the worker role. */
export interface ChatPortDeps {
  logger: Logger;
  openRedis: OpenRedis;
  /** Where the playground keeps its files (the bucket with IMAGE_STORE=s3); unset: DATA_DIR/web. */
  media?: MediaStore | undefined;
}

/** What a credential check gets: where to warn, and how long one call may take. */
export interface CredentialCheckDeps {
  logger: Logger;
  timeoutMs: number;
}

/**
 * The variables outside a platform's own settings that a platform may read: the queue's key prefix (the
 * playground's Redis keys), the admin token (the playground's admin API), the public address (its
 * sign-in redirects and invite links), the Discord and Slack API addresses (its sign-in providers), the
 * gallery's retention and the data folder (the playground's files), and the admins' ids.
 */
export interface SharedValues {
  QUEUE_PREFIX: string;
  ADMIN_TOKEN?: string | undefined;
  PUBLIC_BASE_URL?: string | undefined;
  DISCORD_API_URL: string;
  SLACK_API_URL: string;
  VIDEO_RETENTION_DAYS: number;
  DATA_DIR: string;
  /** The bot's admins (`platform:userId`): Telegram lists its admin command for them alone. */
  ADMIN_USER_IDS?: readonly string[] | undefined;
}

/** A platform's parsed variables, with the shared ones: what its create functions read. */
export type PlatformValues<Shape extends z.ZodRawShape> = z.infer<z.ZodObject<Shape>> & SharedValues;

/**
 * Everything the rest of the bot knows of one platform, in one small file of its folder
 * (`src/adapters/<platform>/platform.ts`), listed once in src/adapters/registry.ts. Modelled on the
 * Chat SDK's adapter factories: the config, the roles and the worker read this descriptor and never the
 * adapter itself. `createAdapter` and `createChatPort` import the adapter's `index.ts` only when called:
 * discord.js, Bolt or grammY weigh megabytes, and a process carries only the platforms it serves
 * (README.md, "Performance"). Both run only when the platform's credentials are set, so they may read
 * them as present. See docs/architecture.md, "How to add a platform".
 */
export interface PlatformDescriptor<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** Its variables, secrets, credentials rule and attachment hosts (its `settings.ts`). */
  settings: PlatformSettings<Shape>;
  /** What the worker needs to know of it: its edit budget and what one budget covers. */
  traits: PlatformTraits;
  /** Its intake, for the bot role. */
  createAdapter(values: PlatformValues<Shape>, deps: AdapterDeps): Promise<PlatformAdapter>;
  /** Its outbox, for the worker role. */
  createChatPort(values: PlatformValues<Shape>, deps: ChatPortDeps): Promise<ChatPort>;
  /**
   * One cheap authenticated call that proves its credentials at startup; throws a `CredentialError`
   * (src/core/errors.ts) naming the variable to fix when the service refuses them. Absent when nothing
   * can be checked from here (the playground serves itself).
   */
  checkCredentials?(values: PlatformValues<Shape>, deps: CredentialCheckDeps): Promise<void>;
}

/** Any platform's descriptor, its variables' names forgotten: what the registry's table holds. */
export type AnyPlatformDescriptor = {
  settings: AnyPlatformSettings;
  traits: PlatformTraits;
  createAdapter(values: never, deps: AdapterDeps): Promise<PlatformAdapter>;
  createChatPort(values: never, deps: ChatPortDeps): Promise<ChatPort>;
  checkCredentials?(values: never, deps: CredentialCheckDeps): Promise<void>;
};

/** Keeps the exact shape of a platform's descriptor (for the config's type) while checking it. */
export function definePlatform<Shape extends z.ZodRawShape>(descriptor: PlatformDescriptor<Shape>) {
  return descriptor;
}
