import { timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Registry } from 'prom-client';
import type { AdminDeps } from '../core/admin.js';
import type { Logger } from '../shared/logger.js';
import { createAdminAuth, dashboardDisabled } from './admin-auth.js';
import { ADMIN_PAGE_PATH, adminPageAccess, createAdminPageRouter } from './admin-page.js';
import { createDashboardRouter } from './dashboard.js';
import { inputsHandler, type ReadStagedInput } from './inputs.js';
import { type ReadinessCheck, readinessHandler } from './readiness.js';
import { type ResolveVideoLink, videoLinksHandler } from './video-links.js';

/** Where the queue dashboard lives. */
export const DASHBOARD_PATH = '/admin/queues';

/** What the HTTP server serves. Everything is handed in; the server opens no connection of its own. */
export interface HttpServerOptions {
  logger: Logger;
  /** The registry `/metrics` renders (from `createPromMetrics`). Without it `/metrics` answers 404. */
  registry?: Registry;
  /** What `/readyz` checks. */
  readiness?: readonly ReadinessCheck[];
  /** Extra facts in the `/readyz` answer (the price in force). */
  readinessInfo?: () => Record<string, unknown>;
  /** `ADMIN_TOKEN`; the dashboard is disabled (404) when unset. */
  adminToken?: string;
  /** Queues shown on the dashboard (the `animate` queue). */
  queues?: readonly Queue[];
  /** Serves `GET /inputs/:id` for `IMAGE_STORE=http`; the route does not exist without it. */
  readStagedInput?: ReadStagedInput;
  /** Serves `GET /videos/:id` for `IMAGE_STORE=s3` with PUBLIC_BASE_URL; the route does not exist without it. */
  resolveVideoLink?: ResolveVideoLink;
  /**
   * Serve `/metrics`, the dashboard and `/readyz`'s details on a second listener (`listenAdmin`, for
   * ADMIN_PORT) instead of the public one. @defaultValue false
   */
  separateAdmin?: boolean;
  /** METRICS_TOKEN: `/metrics` then wants `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** Express' `trust proxy` (TRUST_PROXY): `req.secure` and `req.ip` from the proxy's headers. */
  trustProxy?: boolean | number | string;
}

/** The express app plus its listener. */
export interface HttpServer {
  /** The app; the Slack adapter mounts `/slack/events` on it before `listen`. */
  readonly app: Express;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Serves the admin page (`/admin/settings`) with the bot's run-time settings, behind
   * {@link adminPageAccess}; called by a process that runs the bot, before `listen`.
   */
  mountAdminPage(deps: AdminDeps): void;
  /** With `separateAdmin`: starts the admin listener; resolves with its bound port. */
  listenAdmin(port: number, host?: string): Promise<number>;
  /** Stops accepting connections and closes open ones after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Creates the HTTP server: `/healthz`, `/readyz`, `/metrics`, the dashboard at `/admin/queues` and,
 * for `IMAGE_STORE=http`, `/inputs/:id`. No body parser is installed globally: Slack's receiver needs
 * the raw body to check signatures.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { logger } = options;
  const app = newApp(options);
  const admin = options.separateAdmin ? newApp(options) : app;

  for (const target of new Set([app, admin])) {
    target.get('/healthz', (_req, res) => {
      res.status(200).json({ status: 'ok' });
    });
    const brief = options.separateAdmin === true && target === app;
    target.get('/readyz', readinessHandler(options.readiness ?? [], options.readinessInfo, brief));
  }

  const registry = options.registry;
  if (registry) {
    const metricsToken = options.metricsToken;
    admin.get('/metrics', async (req, res) => {
      if (metricsToken !== undefined && !bearerMatches(req.headers.authorization, metricsToken)) {
        res
          .status(401)
          .setHeader('WWW-Authenticate', 'Bearer realm="animate metrics"')
          .type('text/plain')
          .send('Unauthorized. Send "Authorization: Bearer <METRICS_TOKEN>".\n');
        return;
      }
      const body = await registry.metrics();
      res.status(200).setHeader('Content-Type', registry.contentType).send(body);
    });
  }

  if (options.adminToken && (options.queues?.length ?? 0) > 0) {
    admin.use(
      DASHBOARD_PATH,
      createAdminAuth(options.adminToken, DASHBOARD_PATH),
      createDashboardRouter(options.queues ?? [], DASHBOARD_PATH),
    );
  } else {
    admin.use(DASHBOARD_PATH, dashboardDisabled());
  }

  if (options.readStagedInput) app.get('/inputs/:id', inputsHandler(options.readStagedInput, logger));
  if (options.resolveVideoLink) app.get('/videos/:id', videoLinksHandler(options.resolveVideoLink, logger));

  const servers: Server[] = [];
  const start = (target: Express, port: number, host: string) => {
    // Error handler last, after the Slack adapter had its chance to mount routes on `app`.
    target.use(errorHandler(logger));
    return new Promise<number>((resolve, reject) => {
      const s = target.listen(port, host, (error?: Error) => {
        if (error) {
          reject(error);
          return;
        }
        servers.push(s);
        resolve((s.address() as AddressInfo).port);
      });
    });
  };

  return {
    app,
    listen: (port, host = '0.0.0.0') => start(app, port, host),
    mountAdminPage(deps) {
      admin.use(ADMIN_PAGE_PATH, adminPageAccess(options.adminToken), createAdminPageRouter(deps));
    },
    listenAdmin(port, host = '0.0.0.0') {
      if (admin === app) return Promise.reject(new Error('listenAdmin needs separateAdmin'));
      return start(admin, port, host);
    },
    async close(graceMs = 5000) {
      const open = servers.splice(0);
      await Promise.all(open.map((s) => closeServer(s, graceMs)));
    },
  };
}

/** An express app with the settings and request log both listeners share. */
function newApp(options: HttpServerOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  app.use((req, res, next) => {
    const started = performance.now();
    // The path only: a query string may carry the dashboard's ?token=.
    res.on('finish', () => {
      options.logger.debug(
        {
          method: req.method,
          // originalUrl: `req.path` is relative inside a mounted router (the dashboard).
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          ip: req.ip,
          ms: Math.round(performance.now() - started),
        },
        'http request',
      );
    });
    next();
  });
  return app;
}

async function closeServer(s: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => s.close(() => resolve()));
  s.closeIdleConnections();
  const timer = setTimeout(() => s.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}

// Compares in constant time, so response timing does not reveal how much of a guess was right.
function bearerMatches(header: string | undefined, token: string): boolean {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) return false;
  const a = Buffer.from(match[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    logger.error({ err: error, path: req.path, method: req.method }, 'http request failed');
    if (!res.headersSent) res.status(500).type('text/plain').send('Internal error\n');
  };
}
