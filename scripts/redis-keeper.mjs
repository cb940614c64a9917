// The private redis-server of `npm start` (scripts/start.mjs), run by this small keeper so that it can
// outlive nothing it should not. Arguments are redis-server's. Redis is stopped (SIGTERM, so it flushes
// its append-only file) once nobody holds it any more. Holders are:
// - the write end of this process's stdin: the launcher that started the keeper and then its bot hold it;
// - connections to the holders port (loopback) that this keeper prints at start, one per other launcher
//   of the same data folder (`npm run start:worker` next to `npm start`), again shared with its bot.
// So Redis stops after every launcher and bot is gone, however they ended (SIGKILL included), and never
// before the last bot has finished its own shutdown against it. A connection made once the keeper is
// stopping is closed without the `ok` line: the launcher then waits for this server to be gone before
// starting another over the same files.
//
// First line on stdout: {"holdersPort":…,"redisPid":…}, for scripts/start.mjs to record.
import { spawn } from 'node:child_process';
import net from 'node:net';

const redis = spawn('redis-server', process.argv.slice(2), { stdio: 'ignore' });
let stopping = false;
let stdinHeld = true;
let connections = 0;

const holders = net.createServer((socket) => {
  socket.on('error', () => undefined);
  if (stopping) {
    socket.destroy();
    return;
  }
  connections += 1;
  socket.write('ok\n');
  socket.on('data', () => undefined);
  socket.once('close', () => {
    connections -= 1;
    stopWhenUnheld();
  });
});

function stop() {
  if (stopping) return;
  stopping = true;
  holders.close();
  if (redis.exitCode === null && redis.signalCode === null) redis.kill('SIGTERM');
}

function stopWhenUnheld() {
  if (!stdinHeld && connections === 0) stop();
}

function stdinGone() {
  stdinHeld = false;
  stopWhenUnheld();
}

redis.once('error', (error) => {
  process.stderr.write(`redis-keeper: could not start redis-server: ${error.message}\n`);
  process.exit(1);
});
redis.once('exit', (code) => process.exit(stopping ? 0 : (code ?? 1)));

holders.listen(0, '127.0.0.1', () => {
  const address = holders.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.on('error', () => undefined);
  process.stdout.write(`${JSON.stringify({ holdersPort: port, redisPid: redis.pid })}\n`);
});

process.stdin.on('data', () => undefined);
process.stdin.once('end', stdinGone);
process.stdin.once('close', stdinGone);
process.stdin.once('error', stdinGone);
// The keeper runs in its own process group, so these come only from someone meaning this process.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);
