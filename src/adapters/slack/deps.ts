import type { webApi } from '@slack/bolt';
import type { Intake } from '../../core/intake.js';
import type { UserRef } from '../../core/model.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { ModelCatalogPort } from '../../core/ports/models.js';
import type { PricePort } from '../../core/ports/price.js';
import type { Logger } from '../../shared/logger.js';
import type { SlackImageDownloader } from './files.js';

/** What the Slack listeners need; built once in `index.ts`. */
export interface SlackHandlerDeps {
  intake: Intake;
  /** The models on offer (the modal's model select and the request check). */
  models: ModelCatalogPort;
  /** The prices the model select shows. */
  price?: PricePort | undefined;
  download: SlackImageDownloader;
  logger: Logger;
  metrics: Metrics;
  /**
   * How long a modal submission may work (limits, downloads) before acking anyway; Slack shows an error
   * on the modal when the ack takes more than 3 s. @defaultValue 2500
   */
  ackBudgetMs: number;
  /** Largest video Slack takes in a thread (files.uploadV2 allows up to 1 GB). */
  uploadLimitBytes: number;
  /** Remembers recently handled event ids, so a redelivered event does no work twice in this process. */
  seen: RecentIds;
}

/** The WebClient Bolt hands to listeners. */
export type SlackClient = webApi.WebClient;

/** A Slack person as core sees them. */
export function slackUser(userId: string, name?: string | null): UserRef {
  return { platform: 'slack', userId, displayName: name || userId };
}

/** A bounded set of recently seen ids (oldest dropped first). */
export class RecentIds {
  private readonly ids = new Set<string>();
  public constructor(private readonly max = 5000) {}

  /** Records `id`; false when it was already there. */
  public add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
}
