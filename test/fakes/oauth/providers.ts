import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Loopback stand-ins for Discord's OAuth2 (authorize page, `/api/oauth2/token`, `/api/users/@me`) and
 * Slack's OpenID Connect (authorize page, `/api/openid.connect.token`, `/api/openid.connect.userInfo`),
 * checking what the real ones check: the client, the registered redirect URI, the PKCE verifier against
 * the S256 challenge, one use per code. The authorize page signs in `fake.user` at once (its consent is
 * the test's), or answers `access_denied` when `fake.deny` is set. Slack's ID token is an RS256 JWT.
 */
export interface OAuthFake {
  kind: 'discord' | 'slack';
  /** DISCORD_API_URL or SLACK_API_URL pointing here. */
  apiUrl: string;
  origin: string;
  clientId: string;
  clientSecret: string;
  /** The redirect URI registered for the app (set by the test once it knows its address). */
  redirectUri: string;
  /** Who the authorize page signs in. */
  user: { id: string; name: string; teamId?: string };
  deny: boolean;
  /** Token requests seen, with whether each was granted. */
  tokenRequests: Array<{ granted: boolean; reason?: string }>;
  close(): Promise<void>;
}

interface Grant {
  challenge: string;
  redirectUri: string;
  nonce?: string | undefined;
  user: OAuthFake['user'];
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

async function body(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function json(res: ServerResponse, status: number, data: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(data));
}

export async function startOAuthFake(kind: 'discord' | 'slack'): Promise<OAuthFake> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, OAuthFake['user']>();
  const paths =
    kind === 'discord'
      ? { authorize: '/oauth2/authorize', token: '/api/oauth2/token', user: '/api/users/@me' }
      : {
          authorize: '/openid/connect/authorize',
          token: '/api/openid.connect.token',
          user: '/api/openid.connect.userInfo',
        };
  const fake: OAuthFake = {
    kind,
    apiUrl: '',
    origin: '',
    clientId: kind === 'discord' ? '123456789012345678' : '1111.2222',
    clientSecret: `${kind}-client-secret`,
    redirectUri: '',
    user:
      kind === 'discord'
        ? { id: '400000000000000001', name: 'Dana' }
        : { id: 'U0SLACK01', name: 'Sam', teamId: 'T0TEAM' },
    deny: false,
    tokenRequests: [],
    close: async () => undefined,
  };

  function idToken(grant: Grant): string {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'fake' }));
    const claims = b64url(
      JSON.stringify({
        iss: fake.origin,
        sub: grant.user.id,
        aud: fake.clientId,
        exp: now + 3600,
        iat: now,
        nonce: grant.nonce,
        name: grant.user.name,
        'https://slack.com/team_id': grant.user.teamId,
      }),
    );
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), privateKey);
    return `${header}.${claims}.${b64url(signature)}`;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', fake.origin);
    if (req.method === 'GET' && url.pathname === paths.authorize) {
      const q = url.searchParams;
      const redirect = q.get('redirect_uri') ?? '';
      if (q.get('client_id') !== fake.clientId || redirect !== fake.redirectUri) {
        res.writeHead(400).end('invalid client_id or redirect_uri');
        return;
      }
      const scope = (q.get('scope') ?? '').split(' ');
      const scopeOk = kind === 'discord' ? scope.includes('identify') : scope.includes('openid');
      const back = new URL(redirect);
      back.searchParams.set('state', q.get('state') ?? '');
      if (
        fake.deny ||
        !scopeOk ||
        q.get('response_type') !== 'code' ||
        q.get('code_challenge_method') !== 'S256' ||
        !q.get('code_challenge')
      ) {
        back.searchParams.set('error', fake.deny ? 'access_denied' : 'invalid_request');
      } else {
        const code = b64url(randomBytes(16));
        codes.set(code, {
          challenge: q.get('code_challenge') ?? '',
          redirectUri: redirect,
          nonce: q.get('nonce') ?? undefined,
          user: { ...fake.user },
        });
        back.searchParams.set('code', code);
      }
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === paths.token) {
      const form = await body(req);
      const code = form.get('code') ?? '';
      const grant = codes.get(code);
      codes.delete(code);
      const refuse = (reason: string) => {
        fake.tokenRequests.push({ granted: false, reason });
        json(res, 400, kind === 'slack' ? { ok: false, error: reason } : { error: reason });
      };
      if (form.get('client_id') !== fake.clientId || form.get('client_secret') !== fake.clientSecret)
        return refuse('invalid_client');
      if (form.get('grant_type') !== 'authorization_code' || !grant) return refuse('invalid_grant');
      if (form.get('redirect_uri') !== grant.redirectUri) return refuse('invalid_redirect_uri');
      const verifier = form.get('code_verifier') ?? '';
      if (b64url(createHash('sha256').update(verifier).digest()) !== grant.challenge)
        return refuse('invalid_code_verifier');
      const token = b64url(randomBytes(16));
      tokens.set(token, grant.user);
      fake.tokenRequests.push({ granted: true });
      json(res, 200, {
        ...(kind === 'slack' ? { ok: true, id_token: idToken(grant) } : {}),
        access_token: token,
        token_type: 'Bearer',
        expires_in: 3600,
        scope: kind === 'discord' ? 'identify' : 'openid profile',
      });
      return;
    }
    if (url.pathname === paths.user) {
      const user = tokens.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
      if (!user) return json(res, 401, { message: '401: Unauthorized' });
      if (kind === 'discord')
        return json(res, 200, { id: user.id, username: user.name.toLowerCase(), global_name: user.name });
      return json(res, 200, {
        ok: true,
        sub: user.id,
        name: user.name,
        'https://slack.com/user_id': user.id,
        'https://slack.com/team_id': user.teamId,
      });
    }
    res.writeHead(404).end();
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.apiUrl = kind === 'discord' ? `${fake.origin}/api` : `${fake.origin}/api/`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
