// The private redis-server of `npm start` (scripts/start.mjs), run by this small keeper so that it can
// outlive nothing it should not. Arguments are redis-server's. Redis is stopped (SIGTERM, so it flushes
// its append-only file) once nobody holds the write end of this process's stdin any more: the launcher
// and the bot both hold it, so Redis stops after both are gone, however they ended (the launcher killed
// with SIGKILL included), and never before the bot has finished its own shutdown against it.
import { spawn } from 'node:child_process';

const redis = spawn('redis-server', process.argv.slice(2), { stdio: 'ignore' });
let stopping = false;

function stop() {
  if (stopping) return;
  stopping = true;
  if (redis.exitCode === null && redis.signalCode === null) redis.kill('SIGTERM');
}

redis.once('error', (error) => {
  process.stderr.write(`redis-keeper: could not start redis-server: ${error.message}\n`);
  process.exit(1);
});
redis.once('exit', (code) => process.exit(stopping ? 0 : (code ?? 1)));

process.stdin.on('data', () => undefined);
process.stdin.once('end', stop);
process.stdin.once('close', stop);
process.stdin.once('error', stop);
// The keeper runs in its own process group, so these come only from someone meaning this process.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);
