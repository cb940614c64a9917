import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../shared/logger.js';
import { createAdminAuth, dashboardDisabled } from './admin-auth.js';
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
}

/** The express app plus its listener. */
export interface HttpServer {
  /** The app; the Slack adapter mounts `/slack/events` on it before `listen`. */
  readonly app: Express;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host?: string): Promise<number>;
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
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const started = performance.now();
    // The path only: a query string may carry the dashboard's ?token=.
    res.on('finish', () => {
      logger.debug(
        { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'http request',
      );
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  app.get('/readyz', readinessHandler(options.readiness ?? [], options.readinessInfo));

  const registry = options.registry;
  if (registry) {
    app.get('/metrics', async (_req, res) => {
      const body = await registry.metrics();
      res.status(200).setHeader('Content-Type', registry.contentType).send(body);
    });
  }

  if (options.adminToken && (options.queues?.length ?? 0) > 0) {
    app.use(
      DASHBOARD_PATH,
      createAdminAuth(options.adminToken, DASHBOARD_PATH),
      createDashboardRouter(options.queues ?? [], DASHBOARD_PATH),
    );
  } else {
    app.use(DASHBOARD_PATH, dashboardDisabled());
  }

  if (options.readStagedInput) app.get('/inputs/:id', inputsHandler(options.readStagedInput, logger));
  if (options.resolveVideoLink) app.get('/videos/:id', videoLinksHandler(options.resolveVideoLink, logger));

  let server: Server | undefined;

  return {
    app,
    listen(port, host = '0.0.0.0') {
      // Error handler last, after the Slack adapter had its chance to mount routes on `app`.
      app.use(errorHandler(logger));
      return new Promise<number>((resolve, reject) => {
        const s = app.listen(port, host, (error?: Error) => {
          if (error) {
            reject(error);
            return;
          }
          server = s;
          resolve((s.address() as AddressInfo).port);
        });
      });
    },
    async close(graceMs = 5000) {
      const s = server;
      if (!s) return;
      server = undefined;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      const timer = setTimeout(() => s.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    logger.error({ err: error, path: req.path, method: req.method }, 'http request failed');
    if (!res.headersSent) res.status(500).type('text/plain').send('Internal error\n');
  };
}
