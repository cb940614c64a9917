import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Micros } from '../../core/money.js';
import type { ModelCatalogPort } from '../../core/ports/models.js';
import type { ModelInfo, OxenPort } from '../../core/ports/oxen.js';
import type { PriceChoice, PricePort, PriceQuote, PriceSource } from '../../core/ports/price.js';
import { type ModelFacts, type ModelProfile, perSecondOf, profileOf } from '../../core/video-models.js';
import { parseJsonOrNull } from '../../shared/json.js';
import { type Logger, silentLogger } from '../../shared/logger.js';

/** What {@link createModelBook} needs. */
export interface ModelBookDeps {
  /** Where the models are read; absent (no API key) offers each model with the fields it is known to take. */
  oxen?: OxenPort | undefined;
  /** OXEN_MODELS: the first is the default. */
  modelIds: readonly string[];
  /** PRICE_PER_SECOND_USD: wins over Oxen's price, for every model. */
  override?: Micros | undefined;
  redis: Redis;
  /** Where the last facts Oxen gave of a model are kept, so a restart while Oxen is down still knows them. */
  lastKnownKey: (model: string) => string;
  /** Validates a body against a live schema (src/oxen/request-validator.ts). */
  validate: (schema: Record<string, unknown>, body: Record<string, unknown>) => string | null;
  /** @defaultValue a silent logger */
  logger?: Logger | undefined;
  /** How often the models are read again. @defaultValue one hour */
  refreshMs?: number;
  /** Told the price of each model after each read (the metrics gauge; null: unknown). */
  onPrices?: (prices: Array<{ model: string; perSecond: Micros | null; withAudio: Micros | null }>) => void;
}

/** The model book and its refresh loop. */
export interface ModelBook extends PricePort, ModelCatalogPort {
  /** Reads every model now (the last known facts for one Oxen does not answer), then every `refreshMs`. */
  start(): Promise<void>;
  /** Reads every model now; a failure or an unreadable answer keeps what is in force. */
  refresh(): Promise<void>;
  stop(): void;
}

interface Entry {
  facts: ModelFacts;
  source: Exclude<PriceSource, 'override'> | 'family';
}

/** The facts kept in Redis, checked on the way back (they outlive deploys). */
const SavedFactsSchema = z.object({
  id: z.string(),
  displayName: z.string().nullable(),
  requestSchema: z.unknown(),
  pricing: z
    .object({
      perSecond: z.number().nullable(),
      perSecondWithAudio: z.number().nullable(),
      byResolution: z.record(z.string(), z.number()),
    })
    .nullable(),
});

const factsOf = (info: ModelInfo): ModelFacts => ({
  id: info.id,
  displayName: info.displayName,
  requestSchema: info.requestSchema,
  pricing: info.pricing
    ? {
        perSecond: info.pricing.perSecond,
        perSecondWithAudio: info.pricing.perSecondWithAudio,
        byResolution: info.pricing.byResolution,
      }
    : null,
});

/**
 * The models on offer (OXEN_MODELS) with their live `request_schema` and `pricing`, read from
 * `GET /api/ai/models/{id}` at start and hourly, the last answer of each kept in Redis like the price
 * book before it. A model Oxen does not describe is offered with the fields its family is known to take
 * (core/video-models.ts), or left out with a log line saying why.
 */
export function createModelBook(deps: ModelBookDeps): ModelBook {
  const logger = deps.logger ?? silentLogger();
  const entries = new Map<string, Entry>();
  let profiles: ModelProfile[] = [];
  let timer: NodeJS.Timeout | undefined;

  function rebuild(): void {
    const next: ModelProfile[] = [];
    for (const id of deps.modelIds) {
      const entry = entries.get(id) ?? {
        facts: { id, displayName: null, requestSchema: null, pricing: null },
        source: 'family' as const,
      };
      const built = profileOf(entry.facts);
      if ('profile' in built) next.push(built.profile);
      else logger.warn({ model: id, reason: built.reason }, `model ${id} is left out: ${built.reason}`);
    }
    if (next.length === 0) {
      throw new Error(`none of OXEN_MODELS (${deps.modelIds.join(', ')}) can be offered; see the log lines above`);
    }
    profiles = next;
    deps.onPrices?.(
      profiles.map((p) => ({ model: p.id, perSecond: price(p, false), withAudio: p.sound ? price(p, true) : null })),
    );
  }

  function price(profile: ModelProfile, sound: boolean): Micros | null {
    return deps.override ?? perSecondOf(profile, sound);
  }

  async function readOne(id: string): Promise<void> {
    if (!deps.oxen) return;
    try {
      const facts = factsOf(await deps.oxen.modelInfo(id));
      const previous = entries.get(id);
      // An answer without a readable price keeps the price in force (Oxen answering garbage).
      if (!facts.pricing?.perSecond && previous?.facts.pricing?.perSecond) {
        logger.warn({ model: id }, 'Oxen gave no readable price for the model; keeping the one in force');
        facts.pricing = previous.facts.pricing;
      }
      entries.set(id, { facts, source: 'oxen' });
      await deps.redis.set(deps.lastKnownKey(id), JSON.stringify(facts));
    } catch (error) {
      logger.warn({ err: error, model: id }, 'could not read the model; keeping what is in force');
    }
  }

  async function refresh(): Promise<void> {
    await Promise.all(deps.modelIds.map(readOne));
    rebuild();
  }

  const find = (id: string | undefined) => (id ? profiles.find((p) => p.id === id) : undefined);

  return {
    list: () => profiles,
    get: (id) => find(id),
    defaultModel: () => profiles[0] as ModelProfile,
    refusalOf(id, body) {
      const schema = find(id)?.schema;
      return schema ? deps.validate(schema, body) : null;
    },
    current(choice?: PriceChoice): PriceQuote | null {
      if (deps.override !== undefined) return { perSecond: deps.override, source: 'override' };
      const profile = find(choice?.model) ?? profiles[0];
      if (!profile) return null;
      const perSecond = perSecondOf(profile, choice?.sound ?? false);
      const source = entries.get(profile.id)?.source;
      return perSecond !== null && (source === 'oxen' || source === 'last_known') ? { perSecond, source } : null;
    },
    refresh,
    async start() {
      await Promise.all(deps.modelIds.map(readOne));
      for (const id of deps.modelIds) {
        if (entries.has(id)) continue;
        const raw = await deps.redis.get(deps.lastKnownKey(id)).catch(() => null);
        const saved = SavedFactsSchema.safeParse(raw ? parseJsonOrNull(raw) : null);
        if (saved.success && saved.data.id === id) {
          entries.set(id, {
            facts: { ...saved.data, requestSchema: saved.data.requestSchema ?? null },
            source: 'last_known',
          });
        }
      }
      rebuild();
      for (const p of profiles) {
        if (deps.override === undefined && perSecondOf(p, false) === null) {
          logger.warn({ model: p.id }, 'the price per second is unknown: messages show seconds of video, not money');
        }
      }
      timer = setInterval(() => void refresh().catch(() => undefined), deps.refreshMs ?? 3_600_000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
