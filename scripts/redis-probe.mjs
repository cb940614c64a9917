// Shared by `npm start`, the test setup and .ci/run: does a Redis answer PING at this URL?
import net from 'node:net';
import { pathToFileURL } from 'node:url';

/** Resolves true when a Redis server at `url` answers PING within `timeoutMs`. */
export function redisAnswers(url, timeoutMs = 1000) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) =>
      done(chunk.toString().startsWith('+PONG') || chunk.toString().startsWith('-NOAUTH')),
    );
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Compared as URLs: a checkout path with a space or other escaped character spells differently as a
// raw `file://` string, and the probe must never exit 0 without having probed.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ok = await redisAnswers(process.argv[2] ?? 'redis://127.0.0.1:6379');
  process.exit(ok ? 0 : 1);
}
