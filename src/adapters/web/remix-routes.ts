import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import {
  changeChannelDefaults,
  type DefaultsChange,
  parseDefaults,
  renderChannelDefaults,
} from '../../core/channel-defaults.js';
import type { MessageRef } from '../../core/model.js';
import { type Refusal, refusal } from '../../core/refusal.js';
import { err, ok, type Result } from '../../shared/result.js';
import { type SignedIn, sameOrigin } from './auth.js';
import { animate, forPerson, MessageId, readAnimateForm, type WebRequestDeps } from './request-flow.js';
import { WEB_CHANNEL } from './store.js';

/** The defaults control's answer: the options to set (checked by core), or `clear`. */
const DefaultsBody = z.object({
  defaults: z.record(z.string(), z.unknown()).optional(),
  clear: z.boolean().optional(),
});

/**
 * 🔀 Remix and the channel's defaults in the playground (README.md, "Remix" and "Channel defaults"):
 * the remix form's prefill and submission on a video's message, and the defaults control. Core decides
 * who may; these translate.
 */
export function mountRemixRoutes(router: Router, deps: WebRequestDeps, gate: RequestHandler, signedIn: RequestHandler) {
  const { store, intake } = deps;
  const webChannel = { platform: 'web' as const, channelId: WEB_CHANNEL, threadId: null };
  /** The message the path names, or `null` once a 404 is answered (a bad id reads as an unknown one). */
  const remixedMessage = async (req: Request, res: Response): Promise<MessageRef | null> => {
    const id = MessageId.safeParse(req.params.id);
    const message = id.success ? await store.get(id.data) : null;
    if (!id.success || !message) {
      res.status(404).json({ refusals: [forPerson(refusal('request_not_found'))] });
      return null;
    }
    return { platform: 'web', channelId: message.channelId, messageId: id.data };
  };

  // 🔀 Remix: the form's prefill (the video's options, whether its images are kept), then its submission.
  router.get('/web/api/messages/:id/remix', gate, signedIn, async (req, res) => {
    const { person } = res.locals as SignedIn;
    const ref = await remixedMessage(req, res);
    if (!ref) return;
    const source = await intake.remixSource(ref, person);
    if (!source.ok) {
      res.status(source.error.code === 'request_not_found' ? 404 : 403).json({ refusals: [forPerson(source.error)] });
      return;
    }
    res.json(source.value);
  });

  router.post('/web/api/messages/:id/remix', gate, signedIn, async (req, res) => {
    const { person } = res.locals as SignedIn;
    const ref = await remixedMessage(req, res);
    if (!ref) return;
    const form = await readAnimateForm(req, res);
    if (!form) return;
    // An image attached again (after the input retention) makes it a request like any; else the kept ones.
    const kept = form.files.image ? undefined : { message: ref, endImage: form.fields.keepEndImage === 'on' };
    const outcome = await animate(deps, person, form.fields, form.files, kept);
    res.status(outcome.status).json(outcome.body);
  });

  // The channel's defaults: anyone reads them, admins change them (core decides).
  router.get('/web/api/defaults', gate, signedIn, async (_req, res) => {
    const defaults = await intake.defaults.get(webChannel);
    res.json({ defaults, text: renderChannelDefaults(defaults) });
  });

  router.post('/web/api/defaults', gate, signedIn, express.json({ limit: '2kb' }), async (req, res) => {
    const { person } = res.locals as SignedIn;
    if (!sameOrigin(req)) {
      res.status(403).json({ error: 'cross_origin' });
      return;
    }
    const body = DefaultsBody.safeParse(req.body);
    const change: Result<DefaultsChange, Refusal> = !body.success
      ? err(refusal('defaults_invalid'))
      : body.data.clear
        ? ok({ kind: 'clear' })
        : parseDefaults(body.data.defaults ?? {});
    const outcome = change.ok
      ? await changeChannelDefaults(intake, person, webChannel, change.value, deps.models)
      : change;
    if (!outcome.ok) {
      res
        .status(outcome.error.code === 'defaults_admin_only' ? 403 : 422)
        .json({ refusals: [forPerson(outcome.error)] });
      return;
    }
    res.json({ defaults: outcome.value, text: renderChannelDefaults(outcome.value) });
  });
}
