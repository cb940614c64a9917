import type { Request, Response } from 'express';
import { z } from 'zod';
import { promptPreview } from '../../core/format.js';
import type { CheckedImage } from '../../core/images.js';
import type { Intake, KeptImages } from '../../core/intake.js';
import type { MessageRef, UserRef } from '../../core/model.js';
import type { ChatPort } from '../../core/ports/chat-port.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { ModelCatalogPort } from '../../core/ports/models.js';
import type { PricePort } from '../../core/ports/price.js';
import { type Refusal, type RefusalField, refusal } from '../../core/refusal.js';
import { renderAnnouncement, renderNotStarted, renderRefusals } from '../../core/render-text.js';
import type { CheckedRequest } from '../../core/request-check.js';
import { startRequest } from '../../core/request-flow.js';
import type { Logger } from '../../shared/logger.js';
import type { Result } from '../../shared/result.js';
import { WEB_BOT } from './chat-port.js';
import { webFormat } from './render.js';
import { WEB_CHANNEL, type WebAuthor, type WebStore } from './store.js';
import { readForm, type Upload } from './upload.js';

/** A client-made id for one submit or click, so a repeated request is the same event. */
export const ClientEventId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/** A message id in the playground's store. */
export const MessageId = z.string().regex(/^\d{1,18}$/);

/** The composer's text fields, as the form sends them. */
export const AnimateFields = z.object({
  prompt: z.string().default(''),
  duration: z.string().max(8).optional(),
  loop: z.enum(['on', 'off', '']).optional(),
  takes: z.string().max(4).optional(),
  model: z.string().max(200).optional(),
  sound: z.enum(['on', 'off', '']).optional(),
  shape: z.string().max(16).optional(),
  eventId: ClientEventId,
  /** The remix form: whether the remixed video's end image comes along (when its images are kept). */
  keepEndImage: z.enum(['on', 'off', '']).optional(),
});

/** A refusal as the page shows it next to the composer (or the chip): core's words, plain. */
export function forPerson(r: Refusal | { code: string; message: string; field?: string }) {
  return { code: r.code, field: r.field ?? null, message: r.message };
}

/**
 * Reads a composer form (a new request or a remix) and its text fields; a form that cannot be read is
 * answered here, with the refusal the page shows by the composer, and gives `null`.
 */
export async function readAnimateForm(
  req: Request,
  res: Response,
): Promise<{ fields: z.infer<typeof AnimateFields>; files: Partial<Record<'image' | 'end_image', Upload>> } | null> {
  const read = await readForm(req);
  if (!read.ok) {
    if (read.refused.close) res.set('Connection', 'close');
    res.status(read.refused.status).json({ refusals: read.refused.refusals.map(forPerson) });
    return null;
  }
  const fields = AnimateFields.safeParse(read.form.fields);
  if (!fields.success) {
    res.status(400).json({
      refusals: [
        forPerson({ code: 'bad_form', message: 'The form could not be read. Reload the page and try again.' }),
      ],
    });
    return null;
  }
  return { fields: fields.data, files: read.form.files };
}

/** What the composer's request needs. */
export interface WebRequestDeps {
  store: WebStore;
  /** The adapter's own outbox (threads are started with it, as on Discord). */
  chat: ChatPort;
  intake: Intake;
  /** The models on offer (the composer's model control and the request check). */
  models: ModelCatalogPort;
  /** The prices the composer shows. */
  price?: PricePort | undefined;
  /** Checks an uploaded image's real bytes by the input rules (src/media/check-image.ts). */
  checkImage(bytes: Uint8Array, field: RefusalField): Promise<Result<CheckedImage, Refusal>>;
  logger: Logger;
  metrics: Metrics;
}

const personAuthor = (p: UserRef): WebAuthor => ({ kind: 'person', userId: p.userId, displayName: p.displayName });

/**
 * `/animate` from the composer, as hooks of core's request flow: the refusals are the HTTP answer (the
 * page shows them by the composer), the announcement carries the start image, a thread hangs on it.
 */
export async function animate(
  deps: WebRequestDeps,
  person: UserRef,
  fields: z.infer<typeof AnimateFields>,
  files: Partial<Record<'image' | 'end_image', Upload>>,
  kept?: KeptImages,
): Promise<{ status: number; body: unknown }> {
  const { store, intake, logger, metrics } = deps;
  const refused = (status: number, refusals: Refusal[]) => ({
    status,
    body: { refusals: refusals.map(forPerson), text: renderRefusals(refusals, webFormat) },
  });
  const channel = await store.channel(WEB_CHANNEL);
  if (!channel) return refused(503, [refusal('service_unavailable', undefined, { reason: 'the channel is missing' })]);
  const eventId = `web-${person.userId}-${fields.eventId}`;

  const outcome = await startRequest(
    {
      prompt: fields.prompt,
      duration: fields.duration,
      startImage: files.image,
      endImage: files.end_image,
      // The composer is prefilled with the channel's defaults and sends them; a field left out takes them.
      loop: fields.loop ? fields.loop === 'on' : undefined,
      takes: fields.takes,
      model: fields.model || undefined,
      sound: fields.sound ? fields.sound === 'on' : undefined,
      shape: fields.shape || undefined,
      kept,
    },
    {
      requester: person,
      where: { platform: 'web', channelId: channel.id, threadId: null },
      intake,
      models: deps.models,
      metrics,
      logger,
      eventId,
      uploadLimitBytes: channel.uploadLimitBytes,
      // The browser's type comes from the file name; only an image/* one says anything before the bytes.
      metaOf: (upload) => ({
        bytes: upload.bytes.length,
        ...(upload.declaredMime.startsWith('image/') ? { mime: upload.declaredMime } : {}),
      }),
      fetchImage: (upload, field) => deps.checkImage(upload.bytes, field),
      announce: (request) => announce(store, channel.id, person, eventId, request, files.image),
      openThread: (anchor, request) => deps.chat.openThread(anchor, `🎬 ${promptPreview(request.prompt, 90)}`),
      async notStarted(problem, anchor) {
        if (anchor) {
          await store.edit(anchor.messageId, {
            kind: 'announcement',
            text: renderNotStarted(person.userId, problem, webFormat),
          });
        }
      },
    },
  );
  switch (outcome.status) {
    case 'refused':
      return refused(422, outcome.refusals);
    case 'not_announced':
      return refused(503, [refusal('service_unavailable', undefined, { reason: 'the channel is closed' })]);
    case 'not_started':
      return refused(422, [outcome.refusal]);
    case 'started': {
      const { accepted, where } = outcome;
      logger.info({ requestId: accepted.requestId, threadId: where.threadId }, 'web: request submitted');
      return {
        status: 202,
        body: {
          requestId: accepted.requestId,
          anchorId: outcome.anchor?.messageId,
          threadId: where.threadId,
          duplicate: accepted.duplicate,
        },
      };
    }
  }
}

/**
 * Posts the announcement with the start image (a remix of kept images shows none: the web keeps no
 * copy of them), once per client event id (a repeated submit finds the first one), or null when the
 * channel is closed.
 */
async function announce(
  store: WebStore,
  channelId: string,
  person: UserRef,
  eventId: string,
  request: CheckedRequest,
  start: Upload | undefined,
): Promise<MessageRef | null> {
  const announceKey = `announce-${eventId}`;
  const found = await store.byKey({ channelId, threadId: null }, announceKey);
  if (found) return { platform: 'web', channelId, messageId: found };
  const image =
    request.startImage && start
      ? await store.putFile(request.startImage.bytes, { filename: start.filename, mime: request.startImage.mime })
      : undefined;
  const posted = await store.post(
    { channelId, threadId: null },
    WEB_BOT,
    {
      kind: 'announcement',
      text: renderAnnouncement(person.userId, request.prompt, request.duration, webFormat, { inThread: true }),
      ...(image ? { image } : {}),
    },
    { idempotencyKey: announceKey, invokedBy: personAuthor(person) },
  );
  return posted.ok ? { platform: 'web', channelId, messageId: posted.id } : null;
}
