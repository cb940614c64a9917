import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { type AdminDeps, renderAudit, runAdminCommand } from '../core/admin.js';
import { renderAdminSettings } from '../core/admin-command.js';
import { createAdminAuth } from './admin-auth.js';

/** Where the admin page lives. */
export const ADMIN_PAGE_PATH = '/admin/settings';

/**
 * Who may open the admin page: the one place its access is decided, so the web sign-in (issue 24)
 * can take over here alone. Today: `ADMIN_TOKEN`, as for the queue dashboard; unset, the page is off.
 */
export function adminPageAccess(adminToken: string | undefined): RequestHandler {
  if (adminToken) return createAdminAuth(adminToken, ADMIN_PAGE_PATH);
  return (_req, res) => {
    res.status(404).type('text/plain').send('The admin page is disabled: set ADMIN_TOKEN to enable it.\n');
  };
}

const CommandForm = z.object({ command: z.string().max(1000) });

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * The admin page: the settings in force, a box that takes the admin command's words (the same as
 * Slack's `/animate admin …`), the answer to the last one, and the newest audit entries. Server-rendered
 * and script-free; the form posts to the page itself (the session cookie is SameSite=Strict, so another
 * site cannot post it). Changes are recorded as `web:admin-token`.
 */
export function createAdminPageRouter(deps: AdminDeps): Router {
  const router = express.Router();
  const page = async (answer?: string) => {
    const settings = renderAdminSettings(await deps.settings.get(), deps.vision);
    const audit = renderAudit(await deps.audit.recent(50));
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>/animate administration</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:1rem;white-space:pre-wrap}input[type=text]{width:70%}</style>
</head><body>
<h1>/animate administration</h1>
${answer === undefined ? '' : `<h2>Answer</h2><pre id="answer">${escapeHtml(answer)}</pre>`}
<form method="post" action="${ADMIN_PAGE_PATH}">
<label for="command">Admin command</label>
<input type="text" id="command" name="command" placeholder="pause Back at 3 pm · block slack:U123 · words add spoiler · help">
<button type="submit">Run</button>
</form>
<h2>Settings in force</h2><pre id="settings">${escapeHtml(settings)}</pre>
<h2>Audit log (newest first)</h2><pre id="audit">${escapeHtml(audit)}</pre>
</body></html>`;
  };
  router.get('/', async (_req, res) => {
    res
      .status(200)
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(await page());
  });
  router.post('/', express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    const form = CommandForm.safeParse(req.body);
    const answer = form.success
      ? (await runAdminCommand(deps, 'web:admin-token', form.data.command, 'web')).text
      : 'The form was not read: send one "command" field of at most 1000 characters. Nothing was changed.';
    res
      .status(form.success ? 200 : 400)
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(await page(answer));
  });
  return router;
}
