import type { RequestHandler } from 'express';

/** One thing `/readyz` checks: Redis, a platform connection, the Oxen event stream. */
export interface ReadinessCheck {
  /** Shown in the answer, e.g. `redis`, `discord`, `oxen-events`. */
  name: string;
  /** True when ready. A thrown error or a timeout counts as not ready, with its message as the reason. */
  check: () => boolean | Promise<boolean>;
  /**
   * A failing check that leaves the process useful (Oxen's event stream: intake still queues and the
   * worker polls) marks it `degraded` instead of not ready, so an orchestrator keeps it in rotation.
   * @defaultValue false
   */
  degradesOnly?: boolean;
}

/** What `/readyz` answers. */
export interface ReadinessReport {
  ready: boolean;
  /** Ready, but a {@link ReadinessCheck.degradesOnly} check fails. */
  degraded: boolean;
  checks: Record<string, 'ok' | string>;
  /** One line per failing check, `name: reason`. */
  reasons: string[];
}

/** A check that hangs must not hang the probe: orchestrators time out at a few seconds. */
const CHECK_TIMEOUT_MS = 2000;

/** Runs every check at once and reports each. */
export async function runReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map(async (c) => [c.name, await runOne(c, timeoutMs)] as const));
  const report: ReadinessReport = { ready: true, degraded: false, checks: {}, reasons: [] };
  for (const [index, [name, outcome]] of results.entries()) {
    report.checks[name] = outcome;
    if (outcome === 'ok') continue;
    report.reasons.push(`${name}: ${outcome}`);
    if (checks[index]?.degradesOnly) report.degraded = true;
    else report.ready = false;
  }
  return report;
}

/**
 * `GET /readyz`: 200 when every check that matters passes (`status` "ready", or "degraded" when one that
 * only degrades fails), else 503 with the reasons; `info` adds facts an operator wants at a glance (the
 * price in force). With `brief`, the answer holds the status only: the public port of a process with an
 * ADMIN_PORT tells passers-by nothing about its dependencies.
 */
export function readinessHandler(
  checks: readonly ReadinessCheck[],
  info: () => Record<string, unknown> = () => ({}),
  brief = false,
): RequestHandler {
  return async (_req, res) => {
    const report = await runReadiness(checks);
    const status = !report.ready ? 'not ready' : report.degraded ? 'degraded' : 'ready';
    res
      .status(report.ready ? 200 : 503)
      .json(brief ? { status } : { status, checks: report.checks, reasons: report.reasons, ...info() });
  };
}

async function runOne(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  const attempt = (async () => {
    try {
      return (await check.check()) ? 'ok' : 'not connected';
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  })();
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
