import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import type { PendingSignIn } from './sessions.js';

/*
 * "Sign in with Discord" (OAuth 2.0, scope `identify`) and "Sign in with Slack" (OpenID Connect), on
 * oauth4webapi: it builds the PKCE challenge, checks the `state` and the issuer of the answer, the token
 * response, the ID token's claims (issuer, audience, expiry, nonce) and the user info's subject, so none
 * of that is written here. Its alternative, openid-client, wraps the same author's code with discovery
 * and a session model this adapter has of its own. Endpoints follow DISCORD_API_URL and SLACK_API_URL
 * (authorize pages on their origin), so a loopback fake or a proxy can stand in.
 */

export type Provider = 'discord' | 'slack';

/** One configured provider. */
export interface ProviderConfig {
  clientId: string;
  clientSecret: string;
  /** DISCORD_API_URL (`https://discord.com/api`) or SLACK_API_URL (`https://slack.com/api/`). */
  apiUrl: string;
  /** Slack only: the workspace whose members may sign in. */
  teamId?: string | undefined;
}

/** Who signed in, as the bot's other adapters name them. */
export interface ProviderIdentity {
  platform: Provider;
  userId: string;
  displayName: string;
}

interface Endpoints {
  as: oauth.AuthorizationServer;
  scope: string;
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

function endpoints(provider: Provider, apiUrl: string): Endpoints {
  const origin = new URL(apiUrl).origin;
  const api = withSlash(apiUrl);
  if (provider === 'discord') {
    return {
      as: {
        issuer: origin,
        authorization_endpoint: `${origin}/oauth2/authorize`,
        token_endpoint: new URL('oauth2/token', api).href,
        userinfo_endpoint: new URL('users/@me', api).href,
      },
      scope: 'identify',
    };
  }
  return {
    as: {
      // Slack's ID tokens name https://slack.com as their issuer: the API's origin.
      issuer: origin,
      authorization_endpoint: `${origin}/openid/connect/authorize`,
      token_endpoint: new URL('openid.connect.token', api).href,
      userinfo_endpoint: new URL('openid.connect.userInfo', api).href,
    },
    scope: 'openid profile',
  };
}

/** Plain http is allowed only for a loopback stand-in (tests, a local proxy). */
const insecureOk = (url: string | undefined) => {
  if (!url) return false;
  const u = new URL(url);
  return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
};

/** Where the provider sends the browser back. */
export function redirectUri(publicBaseUrl: string, provider: Provider): string {
  return new URL(`web/auth/${provider}/callback`, withSlash(publicBaseUrl)).href;
}

/** Starts a sign-in: the pending record to keep under `state`, and the provider's page to send the browser to. */
export async function startSignIn(
  provider: Provider,
  config: ProviderConfig,
  publicBaseUrl: string,
): Promise<{ state: string; pending: PendingSignIn; url: string }> {
  const { as, scope } = endpoints(provider, config.apiUrl);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint ?? '');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri(publicBaseUrl, provider));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', scope);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (provider === 'slack') {
    url.searchParams.set('nonce', nonce);
    if (config.teamId) url.searchParams.set('team', config.teamId);
  } else {
    url.searchParams.set('prompt', 'none');
  }
  return { state, pending: { provider, verifier, nonce }, url: url.href };
}

const DiscordUser = z.object({
  id: z.string().regex(/^\d+$/),
  username: z.string(),
  global_name: z.string().nullish(),
});

const SlackClaims = z.object({
  sub: z.string().regex(/^[UW][A-Z0-9]+$/),
  name: z.string().optional(),
  'https://slack.com/team_id': z.string().optional(),
});

/** Why a sign-in did not finish, in words for the person. */
export class SignInFailed extends Error {}

/**
 * Finishes a sign-in from the provider's answer (`callback`, the URL the browser came back to): checks
 * the state, trades the code (with the PKCE verifier) for a token, and reads who it is.
 */
export async function finishSignIn(
  provider: Provider,
  config: ProviderConfig,
  publicBaseUrl: string,
  callback: URL,
  state: string,
  pending: PendingSignIn,
): Promise<ProviderIdentity> {
  const { as } = endpoints(provider, config.apiUrl);
  const client: oauth.Client = { client_id: config.clientId };
  const options = { [oauth.allowInsecureRequests]: insecureOk(config.apiUrl) };
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, callback, state);
  } catch {
    throw new SignInFailed(`${label(provider)} did not let you in (you may have cancelled). Try again.`);
  }
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.ClientSecretPost(config.clientSecret),
    params,
    redirectUri(publicBaseUrl, provider),
    pending.verifier,
    options,
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
    ...(provider === 'slack' ? { expectedNonce: pending.nonce, requireIdToken: true } : {}),
  });
  if (provider === 'discord') {
    const me = await oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL(as.userinfo_endpoint ?? ''),
      undefined,
      undefined,
      options,
    );
    const user = DiscordUser.safeParse(me.ok ? await me.json() : null);
    if (!user.success) throw new SignInFailed('Discord did not say who you are. Try again.');
    return { platform: 'discord', userId: user.data.id, displayName: user.data.global_name ?? user.data.username };
  }
  const idToken = oauth.getValidatedIdTokenClaims(tokens);
  const info = await oauth.processUserInfoResponse(
    as,
    client,
    String(idToken?.sub ?? ''),
    await oauth.userInfoRequest(as, client, tokens.access_token, options),
  );
  const claims = SlackClaims.safeParse(info);
  if (!claims.success) throw new SignInFailed('Slack did not say who you are. Try again.');
  if (config.teamId && claims.data['https://slack.com/team_id'] !== config.teamId) {
    throw new SignInFailed("That Slack account is not in this bot's workspace. Sign in with your account there.");
  }
  return { platform: 'slack', userId: claims.data.sub, displayName: claims.data.name ?? claims.data.sub };
}

export const label = (provider: Provider) => (provider === 'discord' ? 'Discord' : 'Slack');
