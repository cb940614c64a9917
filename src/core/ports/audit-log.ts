/** One line of the audit log: who did what, when, with what before and after. */
export interface AuditEntry {
  /** Milliseconds since the epoch. */
  at: number;
  /** `platform:userId`, or `web:admin-token` for the admin page. */
  who: string;
  /** `settings_changed`, `policy_refused`, `admin_denied`. */
  action: 'settings_changed' | 'policy_refused' | 'admin_denied';
  /** What was changed or refused (a setting's name, the refusal's code, the command tried). */
  what: string;
  before?: unknown;
  after?: unknown;
  /** A refused prompt: its SHA-256, or the prompt itself when AUDIT_KEEP_PROMPTS is on. */
  prompt?: { sha256: string; text?: string };
}

/** What is recorded: a refused prompt is given whole; the store keeps its hash unless told to keep it. */
export type AuditRecord = Omit<AuditEntry, 'prompt'> & { prompt?: string };

/**
 * The audit log (src/queue/stores/audit-log.ts): kept in Redis for AUDIT_RETENTION_DAYS, read on the
 * admin page and with the admin command's `audit`.
 */
export interface AuditLogPort {
  record(entry: AuditRecord): Promise<void>;
  /** The newest `limit` entries, newest first. */
  recent(limit: number): Promise<AuditEntry[]>;
}
