import { createHmac } from 'node:crypto';

/** How to sign (or mis-sign) a request into Bolt. */
export interface SignOptions {
  /** Unix seconds put in `x-slack-request-timestamp`. @defaultValue now */
  timestamp?: number;
  /** Extra headers, e.g. `x-slack-retry-num`. */
  headers?: Record<string, string>;
}

/** `v0=` + HMAC-SHA256(secret, `v0:<ts>:<body>`), as Slack signs requests. @see docs/platforms.md#slack-requests-and-signatures */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** POSTs `body` to a Bolt endpoint signed with `secret`, as Slack would. */
export function signedPost(
  url: string,
  body: string,
  contentType: string,
  secret: string,
  options: SignOptions = {},
): Promise<Response> {
  const ts = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': slackSignature(secret, ts, body),
      ...options.headers,
    },
  });
}

/** A slash command is form-encoded. */
export function postSlashCommand(
  url: string,
  secret: string,
  fields: Record<string, string>,
  options?: SignOptions,
): Promise<Response> {
  return signedPost(url, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', secret, options);
}

/** Interactivity (view_submission, shortcuts) arrives as form `payload=<JSON>`. */
export function postInteraction(
  url: string,
  secret: string,
  payload: unknown,
  options?: SignOptions,
): Promise<Response> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return signedPost(url, body, 'application/x-www-form-urlencoded', secret, options);
}

/** Events API callbacks are JSON. */
export function postEvent(url: string, secret: string, envelope: unknown, options?: SignOptions): Promise<Response> {
  return signedPost(url, JSON.stringify(envelope), 'application/json', secret, options);
}
