import { type AdminSettings, settingsFromLimits } from '../../src/core/admin-settings.js';
import type { GalleryItem } from '../../src/core/gallery.js';
import type { Accepted, Actor, Intake, SubmitInput, UserStatus } from '../../src/core/intake.js';
import { DEFAULT_LIMITS, isChannelAllowed } from '../../src/core/limits.js';
import { type ChatLocation, type MessageRef, messageKey, type UserRef } from '../../src/core/model.js';
import type { AuditEntry } from '../../src/core/ports/audit-log.js';
import type { GalleryPort } from '../../src/core/ports/gallery.js';
import { type Refusal, refusal } from '../../src/core/refusal.js';
import type { ChannelDefaults } from '../../src/core/request-options.js';
import { err, ok, type Result } from '../../src/shared/result.js';

/** What the in-memory intake was asked to do. */
export interface FakeIntakeLog {
  /** Submits by event id (a repeated event id is a duplicate and is not recorded again). */
  submitted: Map<string, SubmitInput>;
  prechecks: Array<{ requester: UserRef; duration: number }>;
  /** Retries that started an attempt (one per message, however many event ids ask). */
  retries: Array<{ message: MessageRef; actor: Actor; eventId: string }>;
  cancels: Array<{ message: MessageRef; actor: Actor }>;
}

/** Options of {@link createFakeIntake}. */
export interface FakeIntakeOptions {
  /** Every precheck answers with this refusal (changeable later through `precheckRefusal`). */
  precheck?: Refusal;
  /** Every submit answers with this refusal. */
  submit?: Refusal;
  status?: UserStatus;
  /** The real intake's allow-list check (src/core/limits.ts), e.g. `['discord:123']`. @defaultValue all allowed */
  allowedChannels?: string[];
  /**
   * Whose request every message belongs to unless `anchorOn` says otherwise. @defaultValue nobody's: a
   * retry or cancel on a message not anchored is `request_not_found`
   */
  requester?: string;
  /**
   * The seconds the person has left today: a precheck or a submit asking for more is refused with
   * `user_daily_limit`, as the real precheck and reservation are (every take counts). @defaultValue no limit
   */
  dailySeconds?: number;
}

/** The in-memory intake and what a test reads or changes on it. */
export interface FakeIntake {
  intake: Intake;
  log: FakeIntakeLog;
  /** `log.submitted`. */
  submitted: Map<string, SubmitInput>;
  /** `log.prechecks`. */
  prechecks: FakeIntakeLog['prechecks'];
  /** When set, every precheck answers with it. */
  precheckRefusal: Refusal | undefined;
  /** Registers `message` as belonging to a request of `userId`. */
  anchorOn(message: MessageRef, userId: string): void;
}

/**
 * An in-memory {@link Intake} for the adapters' tests (the real one is `src/queue/intake.ts`): submits
 * are de-duplicated by event id; only a message's requester may retry or cancel it, and a message's
 * request is retried once whatever the event ids, as the real intake guards the attempt being retried.
 * Nobody is an admin.
 */
export function createFakeIntake(options: FakeIntakeOptions = {}): FakeIntake {
  const log: FakeIntakeLog = { submitted: new Map(), prechecks: [], retries: [], cancels: [] };
  const owners = new Map<string, string>();
  const retried = new Set<string>();
  const defaults = new Map<string, ChannelDefaults>();
  let settings: AdminSettings = settingsFromLimits(DEFAULT_LIMITS);
  const audited: AuditEntry[] = [];
  const allowed = (where: ChatLocation) => isChannelAllowed({ allowedChannels: options.allowedChannels ?? [] }, where);
  const ownerCheck = (message: MessageRef, actor: Actor): Refusal | null => {
    const owner = owners.get(messageKey(message)) ?? options.requester;
    if (!owner) return refusal('request_not_found');
    return owner === actor.userId ? null : refusal('not_requester');
  };
  const overDaily = (seconds: number): Refusal | null =>
    options.dailySeconds !== undefined && seconds > options.dailySeconds
      ? refusal('user_daily_limit', undefined, {
          usedSeconds: 0,
          limit: options.dailySeconds,
          requestedSeconds: seconds,
        })
      : null;
  const intake: Intake = {
    async precheck(requester, where, duration) {
      log.prechecks.push({ requester, duration });
      if (!allowed(where)) return err(refusal('channel_not_allowed'));
      const daily = overDaily(duration);
      if (daily) return err(daily);
      return fake.precheckRefusal ? err(fake.precheckRefusal) : ok(undefined);
    },
    async submit(input): Promise<Result<Accepted, Refusal>> {
      if (!allowed(input.where)) return err(refusal('channel_not_allowed'));
      if (options.submit) return err(options.submit);
      const daily = overDaily(input.duration * (input.takes ?? 1));
      if (daily) return err(daily);
      const duplicate = log.submitted.has(input.eventId);
      if (!duplicate) log.submitted.set(input.eventId, input);
      return ok({ requestId: `r-${input.eventId}`, jobId: input.eventId, attempt: 1, duplicate });
    },
    async retry(message, actor, eventId) {
      const refused = ownerCheck(message, actor);
      if (refused) return err(refused);
      const duplicate = retried.has(messageKey(message));
      if (!duplicate) {
        retried.add(messageKey(message));
        log.retries.push({ message, actor, eventId });
      }
      return ok({ requestId: `r-${message.messageId}`, jobId: eventId, attempt: 2, duplicate });
    },
    async cancel(message, actor) {
      const refused = ownerCheck(message, actor);
      if (refused) return err(refused);
      log.cancels.push({ message, actor });
      return ok({ requestId: `r-${message.messageId}`, attempt: 1 });
    },
    async status(): Promise<UserStatus> {
      return (
        options.status ?? {
          active: [],
          maxActive: 2,
          usedSecondsToday: 0,
          dailyLimitSeconds: 60,
          spentTodayMicros: 0,
          pricePerSecondMicros: null,
          teamBudgets: [],
          resetsAt: new Date(),
        }
      );
    },
    isAdmin: () => false,
    // The content check is off here: it is covered against the real intake and the simulator's chat endpoint.
    screen: async () => ok(undefined),
    // Nobody is an admin here: the spend report is always refused, as for a non-admin.
    spend: async () => err(refusal('admin_only')),
    extend: async () => err(refusal('nothing_to_extend')),
    // The adapters' remix forms are covered end to end against the real intake.
    remixSource: async () => err(refusal('request_not_found')),
    gallery: memoryGallery(),
    // In memory, nobody an admin: the admin command's own behaviour is covered against the real intake.
    admin: {
      settings: {
        get: async () => settings,
        update: async (change) => {
          const before = settings;
          settings = change(before);
          return { before, after: settings };
        },
      },
      audit: {
        record: async ({ prompt, ...entry }) => {
          audited.push({ ...entry, ...(prompt === undefined ? {} : { prompt: { sha256: '' } }) });
        },
        recent: async (limit) => audited.slice(-limit).reverse(),
      },
      isAdmin: () => false,
    },
    defaults: {
      get: async (where) => defaults.get(`${where.platform}:${where.parentChannelId ?? where.channelId}`) ?? {},
      set: async (where, value) => {
        defaults.set(`${where.platform}:${where.parentChannelId ?? where.channelId}`, value);
      },
    },
  };
  const fake: FakeIntake = {
    intake,
    log,
    submitted: log.submitted,
    prechecks: log.prechecks,
    precheckRefusal: options.precheck,
    anchorOn: (message, userId) => {
      owners.set(messageKey(message), userId);
    },
  };
  return fake;
}

/** The gallery port in memory (the Redis store has its own tests). */
function memoryGallery(): GalleryPort {
  const items = new Map<string, GalleryItem>();
  const trash: string[] = [];
  return {
    record: async (item) => {
      items.set(item.id, item);
    },
    recent: async (limit) =>
      [...items.values()]
        .filter((i) => i.expiresAt > Date.now())
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, limit),
    get: async (id) => items.get(id) ?? null,
    remove: async (id) => {
      const item = items.get(id) ?? null;
      items.delete(id);
      if (item) trash.push(...item.storedRefs);
      return item;
    },
    takeTrash: async (limit) => trash.splice(0, limit),
  };
}
