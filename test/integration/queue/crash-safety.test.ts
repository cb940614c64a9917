import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChatFakeServer, startChatFakeServer } from '../../fakes/chat/http-chat.js';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

describe('crash safety: a worker process killed with SIGKILL at each step', () => {
  let stack: Stack;
  let chatServer: ChatFakeServer;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    stack = await createStack();
    chatServer = await startChatFakeServer(stack.chat);
  });
  afterEach(async () => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await chatServer.close();
    await stack.close();
  });

  function startChild(crashAt: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        SIM_URL: stack.sim.url,
        SIM_KEY: stack.sim.apiKey,
        CHAT_URL: chatServer.url,
        PREFIX: stack.prefix,
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        CRASH_AT: crashAt,
        RECONCILE_MS: '60000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve(child);
      });
      child.on('exit', (code, signal) => reject(new Error(`child exited early: ${code ?? signal}`)));
    });
  }

  const exited = (child: ChildProcess) =>
    new Promise<NodeJS.Signals | null>((resolve) => {
      if (child.signalCode !== null || child.exitCode !== null) resolve(child.signalCode);
      else child.on('exit', (_code, signal) => resolve(signal));
    });

  it.each(['stage', 'after-enqueue', 'wait', 'deliver'])(
    'GIVEN the worker dies at %s THEN a new worker ends the request exactly once, with one enqueue and one post',
    async (crashAt) => {
      if (crashAt === 'wait') stack.sim.knobs.holdQueue = true;
      const first = await startChild(crashAt);
      const input = submitInput();
      const accepted = await stack.intake.submit(input);
      if (!accepted.ok) throw new Error('refused');
      const { requestId } = accepted.value;

      if (crashAt === 'wait') {
        await eventually(async () => (await attemptState(stack, requestId)) === 'submitted', 'the submission');
        first.kill('SIGKILL');
        await exited(first);
        // Oxen finishes while no worker listens: the event is lost, only a poll after reconnect finds it.
        stack.sim.knobs.holdQueue = false;
        stack.sim.releaseQueue();
        await eventually(() => [...stack.sim.rows.values()].every((r) => r.status === 'succeeded'), 'Oxen to finish');
      } else {
        expect(await exited(first)).toBe('SIGKILL');
      }

      await startChild('');
      await eventually(async () => (await attemptState(stack, requestId)) === 'done', 'the request to end');
      expect(stack.sim.counters.enqueue).toBe(1);
      expect(stack.chat.videos()).toHaveLength(1);
      // The final edit follows the state change.
      await eventually(() => stack.chat.thread(input.where)[0]?.text.includes('Done'), 'the final progress edit');
      expect(stack.chat.thread(input.where).filter((m) => m.views[0]?.kind === 'progress')).toHaveLength(1);
      const status = await stack.intake.status(input.requester);
      expect(status.active).toHaveLength(0);
      expect(status.usedSecondsToday).toBe(5);
    },
  );

  it('GIVEN the same Oxen account enqueued something else meanwhile THEN the new worker adopts only its own generation', async () => {
    const first = await startChild('after-enqueue');
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    expect(await exited(first)).toBe('SIGKILL');
    const ours = [...stack.sim.rows.keys()];
    expect(ours).toHaveLength(1);
    // Someone using the same key from the web UI, same model, moments later.
    const foreign = await stack.oxen.enqueue({
      model: 'kling-video-o1-image-to-video',
      prompt: 'a different picture',
      inputImage: `${stack.sim.url}/api/repos/someone/else/file/main/other.png`,
      duration: 5,
    });

    await startChild('');
    await eventually(
      async () => (await attemptState(stack, accepted.value.requestId)) === 'done',
      'the request to end',
    );
    const generationId = await stack.redis.hget(
      `${stack.prefix}:animate:att:${accepted.value.requestId}:1`,
      'generationId',
    );
    expect(generationId).toBe(ours[0]);
    expect(generationId).not.toBe(foreign.generationId);
    expect(stack.sim.counters.enqueue).toBe(2);
    expect(stack.chat.videos()).toHaveLength(1);
  });
});
