import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createImageFetcher } from '../../../src/media/image-fetcher.js';
import { makePng } from '../../support/images.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const seen: Array<{ server: 'main' | 'other'; path: string; authorization: string | undefined }> = [];

async function listen(
  name: 'main' | 'other',
  routes: Record<string, Handler>,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    seen.push({ server: name, path, authorization: req.headers.authorization });
    const route = routes[path];
    if (route) route(req, res);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const png = makePng(640, 480);
const sendPng: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) });
  res.end(png);
};
let main: { server: Server; url: string };
let other: { server: Server; url: string };

beforeAll(async () => {
  other = await listen('other', { '/img.png': sendPng });
  main = await listen('main', {
    '/img.png': sendPng,
    '/small.png': (_req, res) => res.end(makePng(120, 120)),
    '/huge': (_req, res) => {
      // No Content-Length: the cap must hold while streaming.
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(png.subarray(0, 64));
      const chunk = Buffer.alloc(1024 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 12 && res.write(chunk)) sent++;
        if (sent >= 12) res.end();
        else res.once('drain', pump);
      };
      pump();
    },
    '/login': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><body>Sign in to Slack</body></html>');
    },
    '/login-as-octets': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end('<html><head><title>Sign in</title></head></html>');
    },
    '/to-other': (_req, res) => {
      res.writeHead(302, { location: `${other.url}/img.png` });
      res.end();
    },
    '/to-self': (_req, res) => {
      res.writeHead(301, { location: '/img.png' });
      res.end();
    },
    '/to-internal': (_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    },
    '/slow': () => undefined,
  });
});
afterAll(async () => {
  for (const s of [main.server, other.server]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});
beforeEach(() => {
  seen.length = 0;
});

// The fetcher's own 20 s timeout: a 12 MB body over loopback on a busy machine may take longer than a
// short one, and would then read as image_unreachable instead of image_too_large.
const fetcher = (timeoutMs?: number) =>
  createImageFetcher({
    allowedHosts: ['127.0.0.1'],
    oxenBaseUrl: 'https://hub.oxen.ai',
    ...(timeoutMs ? { timeoutMs } : {}),
  });
const code = async (url: string) => {
  const result = await fetcher().fetch(url);
  return result.ok ? 'ok' : result.error.code;
};

describe('image fetcher over loopback', () => {
  it('should download, sniff and measure an allowed image', async () => {
    const result = await fetcher().fetch(`${main.url}/img.png`);
    expect(
      result.ok && [result.value.mime, result.value.width, result.value.height, result.value.bytes.length],
    ).toEqual(['image/png', 640, 480, png.length]);
  });

  it('GIVEN a host not on the list THEN image_host_not_allowed and no request is made', async () => {
    const result = await fetcher().fetch(`${main.url.replace('127.0.0.1', 'localhost')}/img.png`);
    expect(!result.ok && result.error.code).toBe('image_host_not_allowed');
    expect(!result.ok && result.error.message).toContain('localhost');
    expect(seen).toHaveLength(0);
  });

  it('GIVEN a non-http URL THEN refused', async () => {
    expect(await code('file:///etc/passwd')).toBe('image_host_not_allowed');
  });

  it('GIVEN the Oxen host THEN it is allowed even when not listed', async () => {
    const f = createImageFetcher({ allowedHosts: [], oxenBaseUrl: main.url });
    expect((await f.fetch(`${main.url}/img.png`)).ok).toBe(true);
  });

  it('GIVEN a body over 10 MB without Content-Length THEN image_too_large', async () => {
    expect(await code(`${main.url}/huge`)).toBe('image_too_large');
  });

  it('GIVEN an HTML login page THEN image_login_page, whatever the Content-Type says', async () => {
    expect(await code(`${main.url}/login`)).toBe('image_login_page');
    expect(await code(`${main.url}/login-as-octets`)).toBe('image_login_page');
  });

  it('GIVEN an image under 300 px THEN image_too_small', async () => {
    expect(await code(`${main.url}/small.png`)).toBe('image_too_small');
  });

  it('GIVEN a redirect to another host THEN the extra header is not sent there', async () => {
    const result = await fetcher().fetch(`${main.url}/to-other`, { headers: { authorization: 'Bearer xoxb-secret' } });
    expect(result.ok).toBe(true);
    expect(seen).toEqual([
      { server: 'main', path: '/to-other', authorization: 'Bearer xoxb-secret' },
      { server: 'other', path: '/img.png', authorization: undefined },
    ]);
  });

  it('GIVEN a redirect on the same host THEN the header follows', async () => {
    await fetcher().fetch(`${main.url}/to-self`, { headers: { authorization: 'Bearer xoxb-secret' } });
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer xoxb-secret', 'Bearer xoxb-secret']);
  });

  it('GIVEN a redirect to a host not on the list THEN image_host_not_allowed', async () => {
    expect(await code(`${main.url}/to-internal`)).toBe('image_host_not_allowed');
  });

  it('GIVEN a 404 or no answer in time THEN image_unreachable', async () => {
    expect(await code(`${main.url}/missing`)).toBe('image_unreachable');
    // `/slow` never answers, so any timeout ends it; a short one keeps the test quick.
    const slow = await fetcher(300).fetch(`${main.url}/slow`);
    expect(!slow.ok && slow.error.code).toBe('image_unreachable');
  });
});
