import {
  ADMIN_USAGE,
  type AdminRequest,
  applyChange,
  parseAdminText,
  renderAdminSettings,
  type VisionInfo,
} from './admin-command.js';
import { type UserRef as Actor, userKey } from './model.js';
import type { AdminSettingsPort } from './ports/admin-settings.js';
import type { AuditEntry, AuditLogPort } from './ports/audit-log.js';
import type { Metrics } from './ports/metrics.js';
import { type Refusal, refusal } from './refusal.js';

/** What the admin command needs: the settings, the audit log and who the admins are. */
export interface AdminDeps {
  settings: AdminSettingsPort;
  audit: AuditLogPort;
  isAdmin(actor: Pick<Actor, 'platform' | 'userId'>): boolean;
  metrics?: Pick<Metrics, 'settingsChanged'>;
  /** The content check's model and cost, when an Oxen key makes it available. */
  vision?: VisionInfo;
}

/** The admin command's answer: text to show privately, and whether it was refused. */
export interface AdminReply {
  text: string;
  refused?: Refusal;
}

/** `who` in the audit log: the actor's `platform:userId`, or the admin page's own name. */
export type AuditWho = Pick<Actor, 'platform' | 'userId'> | 'web:admin-token';

const whoOf = (who: AuditWho) => (who === 'web:admin-token' ? who : userKey(who));

/**
 * Runs an admin command given as text (the same words on every platform). A person who is not an admin
 * changes nothing and the attempt is recorded (a forged or mistaken call is visible in the audit log).
 * `adminPage`: the caller already proved to be an admin (the web page's token).
 */
export async function runAdminCommand(
  deps: AdminDeps,
  who: AuditWho,
  text: string,
  platform: Actor['platform'],
): Promise<AdminReply> {
  if (who !== 'web:admin-token' && !deps.isAdmin(who)) {
    await deps.audit.record({
      at: Date.now(),
      who: whoOf(who),
      action: 'admin_denied',
      what: text.trim().slice(0, 200),
    });
    const refused = refusal('admin_command_only');
    return { text: refused.message, refused };
  }
  if (/^\s*help\s*$/i.test(text)) return { text: `Admin commands:\n${ADMIN_USAGE}` };
  const parsed = parseAdminText(text, platform);
  if (!parsed.ok) return { text: `${parsed.error.message}\n\nAdmin commands:\n${ADMIN_USAGE}`, refused: parsed.error };
  return runAdminRequest(deps, who, parsed.value);
}

/** Runs a parsed admin request; see {@link runAdminCommand}. */
export async function runAdminRequest(deps: AdminDeps, who: AuditWho, request: AdminRequest): Promise<AdminReply> {
  if (request.kind === 'show') return { text: renderAdminSettings(await deps.settings.get(), deps.vision) };
  if (request.kind === 'audit') return { text: renderAudit(await deps.audit.recent(request.limit)) };
  if (request.setting === 'visionCheck' && !deps.vision) {
    const refused = refusal('admin_invalid', undefined, { reason: 'The vision check needs OXEN_API_KEY' });
    return { text: refused.message, refused };
  }

  let refused: Refusal | null = null;
  const { before, after } = await deps.settings.update((current) => {
    const next = applyChange(current, request.apply);
    if (next.ok) return next.value;
    refused = next.error;
    return current;
  });
  if (refused) return { text: (refused as Refusal).message, refused };
  await deps.audit.record({
    at: Date.now(),
    who: whoOf(who),
    action: 'settings_changed',
    what: request.setting,
    before: before[request.setting],
    after: after[request.setting],
  });
  deps.metrics?.settingsChanged(request.setting);
  return { text: `Changed ${request.setting}. Now:\n${renderAdminSettings(after, deps.vision)}` };
}

/** Audit entries in words, newest first. */
export function renderAudit(entries: readonly AuditEntry[]): string {
  if (entries.length === 0) return 'The audit log is empty.';
  return entries
    .map((e) => {
      const when = new Date(e.at).toISOString().replace('T', ' ').slice(0, 19);
      const change =
        e.action === 'settings_changed' ? `: ${JSON.stringify(e.before)} → ${JSON.stringify(e.after)}` : '';
      const prompt = e.prompt
        ? ` (prompt ${e.prompt.text ? JSON.stringify(e.prompt.text) : `sha256 ${e.prompt.sha256.slice(0, 12)}`})`
        : '';
      return `${when} UTC ${e.who} ${e.action} ${e.what}${change}${prompt}`;
    })
    .join('\n');
}
