import { readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { dispatchAction } from '../../core/actions.js';
import { MAX_TAKES } from '../../core/input-rules.js';
import { type MessageRef, type UserRef, userKey } from '../../core/model.js';
import { modelChoices, SHAPE_CHOICES } from '../../core/model-choices.js';
import { type Refusal, refusal } from '../../core/refusal.js';
import { actionOf, WEB_REACTIONS } from './actions.js';
import { localOnlyGate, requireSession, type SignedIn } from './auth.js';
import { type createEventStreams, FILES_PATH, forPage } from './events.js';
import { type GalleryRouteOptions, mountGalleryRoutes } from './gallery-routes.js';
import { mountRemixRoutes } from './remix-routes.js';
import { animate, ClientEventId, forPerson, MessageId, readAnimateForm, type WebRequestDeps } from './request-flow.js';
import { mountSignInRoutes, type SignInDeps } from './sign-in-routes.js';
import { WEB_CHANNEL, type WebStore } from './store.js';

/** What the routes need. */
export interface WebRoutesDeps extends WebRequestDeps, SignInDeps {
  events: ReturnType<typeof createEventStreams>;
  gallery: GalleryRouteOptions;
}

/**
 * The page and its script are served with this policy: no inline script or style, nothing from another
 * origin, no framing. Videos and images come from this origin (or the composer's own blob: previews).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PUBLIC = new URL('./public/', import.meta.url);
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/web/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/web/markup.js': { file: 'markup.js', type: 'text/javascript; charset=utf-8' },
  '/web/api.js': { file: 'api.js', type: 'text/javascript; charset=utf-8' },
  '/web/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/gallery': { file: 'gallery.html', type: 'text/html; charset=utf-8' },
  '/web/gallery.js': { file: 'gallery.js', type: 'text/javascript; charset=utf-8' },
  '/team': { file: 'team.html', type: 'text/html; charset=utf-8' },
  '/web/team.js': { file: 'team.js', type: 'text/javascript; charset=utf-8' },
};

const ReactionBody = z.object({ emoji: z.string().refine((e) => WEB_REACTIONS.includes(e)), eventId: ClientEventId });

/**
 * The playground's HTTP side: the page, its state and live updates, the composer's `/animate` and the
 * reaction chips, each translated into core's conversation (startRequest, dispatchAction, the renderer)
 * exactly as the Discord and Slack adapters do. It translates; it never decides.
 */
export function createWebRouter(deps: WebRoutesDeps): Router {
  const { store, intake, access, logger } = deps;
  const router = Router();
  const assets = Object.fromEntries(
    Object.entries(ASSETS).map(([path, a]) => [path, { body: readFileSync(new URL(a.file, PUBLIC)), type: a.type }]),
  );

  const localOnly = localOnlyGate(access);
  // Every answer of the playground: its security headers, then the local-only rule when no token is set.
  const gate: express.RequestHandler = (req, res, next) => {
    res.set({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    });
    localOnly(req, res, next);
  };
  const signedIn = requireSession(deps.sessions, access);

  for (const [path, asset] of Object.entries(assets)) {
    router.get(path, gate, (_req, res) => {
      res.status(200).type(asset.type).set('Cache-Control', 'no-cache').send(asset.body);
    });
  }

  const me = (person: UserRef) => ({
    userId: person.userId,
    displayName: person.displayName,
    key: userKey(person),
    admin: intake.isAdmin(person),
  });

  mountSignInRoutes(router, deps, gate, signedIn);

  router.get('/web/api/state', gate, signedIn, async (_req, res) => {
    const { person } = res.locals as SignedIn;
    const channel = await store.channel(WEB_CHANNEL);
    const page = await forPage(store, await store.list({ channelId: WEB_CHANNEL, threadId: null }));
    // The composer starts from the channel's defaults (README.md, "Channel defaults"), and its controls
    // offer each model with its price and lengths, and the shapes.
    const defaults = await intake.defaults.get({ platform: 'web', channelId: WEB_CHANNEL, threadId: null });
    const models = modelChoices(deps.models, deps.price);
    res.json({ me: me(person), channel, ...page, maxTakes: MAX_TAKES, defaults, models, shapes: SHAPE_CHOICES });
  });

  router.get('/web/api/threads/:id', gate, signedIn, async (req, res) => {
    const id = MessageId.safeParse(req.params.id);
    const anchor = id.success ? await store.get(id.data) : null;
    if (!id.success || !anchor?.thread) {
      res.status(404).json({ error: 'no_thread' });
      return;
    }
    const messages = await store.list({ channelId: anchor.channelId, threadId: id.data });
    res.json({ thread: anchor.thread, ...(await forPage(store, [anchor, ...messages])) });
  });

  router.get('/web/api/events', gate, signedIn, (_req, res) => {
    const { handle } = res.locals as SignedIn;
    deps.events.open(res, handle);
  });

  router.get(`${FILES_PATH}/:id`, gate, signedIn, async (req, res) => {
    const id = z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/)
      .safeParse(req.params.id);
    const file = id.success ? await store.fileMeta(id.data) : null;
    if (!id.success || !file) {
      res.status(404).type('text/plain').send('This file is no longer kept.\n');
      return;
    }
    await sendFile(req, res, store, file);
  });

  router.post('/web/api/animate', gate, signedIn, async (req, res) => {
    const { person } = res.locals as SignedIn;
    const form = await readAnimateForm(req, res);
    if (!form) return;
    const outcome = await animate(deps, person, form.fields, form.files);
    res.status(outcome.status).json(outcome.body);
  });

  mountRemixRoutes(router, deps, gate, signedIn);
  mountGalleryRoutes(router, deps, deps.gallery, gate, signedIn);

  router.post(
    '/web/api/messages/:id/reactions',
    gate,
    signedIn,
    express.json({ limit: '2kb' }),
    async (req: Request, res: Response) => {
      const { person } = res.locals as SignedIn;
      const id = MessageId.safeParse(req.params.id);
      const body = ReactionBody.safeParse(req.body);
      if (!id.success || !body.success) {
        res.status(400).json({ error: 'bad_reaction' });
        return;
      }
      const outcome = await react(deps, person, id.data, body.data.emoji, `web-${person.userId}-${body.data.eventId}`);
      res.status(outcome === 'gone' ? 404 : 200).json(outcome === 'gone' ? { error: 'gone' } : outcome);
    },
  );

  logger.debug('web: routes mounted');
  return router;
}

/**
 * A click on a chip: the person's reaction is toggled, and when it was added and stands for an action,
 * core carries it out. Core's refusal comes back to the person alone (the page shows it by the chip).
 */
async function react(deps: WebRoutesDeps, person: UserRef, messageId: string, emoji: string, eventId: string) {
  const { store, intake, logger } = deps;
  const message = await store.get(messageId);
  if (!message) return 'gone' as const;
  const toggled = await store.react(messageId, emoji, person.userId);
  if (toggled === 'gone') return 'gone' as const;
  const action = actionOf(emoji);
  if (toggled === 'removed' || action === null) return { reaction: toggled, refusal: null };
  const ref: MessageRef = { platform: 'web', channelId: message.channelId, messageId };
  let told: Refusal | null = null;
  try {
    await dispatchAction(
      intake,
      { action, message: ref, actor: person, eventId },
      {
        private: true,
        async tell(problem) {
          told = problem;
        },
      },
      logger,
    );
  } catch (error) {
    logger.error({ err: error }, 'web: action failed');
    told = refusal('service_unavailable');
  }
  const problem = told as Refusal | null;
  return { reaction: toggled, refusal: problem ? forPerson(problem) : null };
}

/** Sends a kept file, honouring a `Range` (Safari asks for video in ranges), streamed from the files folder. */
async function sendFile(
  req: Request,
  res: Response,
  store: WebStore,
  file: { id: string; mime: string; bytes: number; filename: string },
): Promise<void> {
  res.set({
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'private, max-age=86400',
    'Content-Disposition': `inline; filename="${file.filename.replace(/[^\w.-]/g, '_')}"`,
    'Content-Type': file.mime,
  });
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  let start = 0;
  let end = file.bytes - 1;
  if (range && !(range[1] === '' && range[2] === '')) {
    start = range[1] === '' ? Math.max(0, file.bytes - Number(range[2])) : Number(range[1]);
    end = range[1] === '' || range[2] === '' ? file.bytes - 1 : Math.min(Number(range[2]), file.bytes - 1);
    if (start >= file.bytes || start > end) {
      res.status(416).set('Content-Range', `bytes */${file.bytes}`).end();
      return;
    }
    res.status(206).set('Content-Range', `bytes ${start}-${end}/${file.bytes}`);
  } else res.status(200);
  res.set('Content-Length', String(end - start + 1));
  // pipeline: backpressure from the socket, and the file closed when the browser goes away.
  try {
    await pipeline(await store.openFile(file.id, start, end), res);
  } catch {
    if (!res.headersSent) res.status(404).type('text/plain').send('This file is no longer kept.\n');
    else res.destroy();
  }
}
