/**
 * Takes, loop and extend through the real pipeline (real Redis, the simulator, real ffmpeg): what Oxen
 * is asked, what the chat gets, and that a part continues the exact last frame of the video before it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnimateJobData } from '../../../src/queue/job-data.js';
import { ANIMATE_QUEUE } from '../../../src/queue/stores/keys.js';
import { eventually } from '../../support/eventually.js';
import { extendFirstPart } from '../../support/queue-flow.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'animate-variants-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Mean luma of an image or a video's first (`last`: final) frame, at the simulator's 480×320. */
function meanLuma(bytes: Buffer, name: string, last = false): number {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const args = last
    ? ['-v', 'error', '-sseof', '-0.5', '-i', path, '-update', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-']
    : ['-v', 'error', '-i', path, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'];
  const raw = execFileSync('ffmpeg', args, { maxBuffer: 64 * 1024 * 1024 });
  const y = raw.subarray(raw.length - (480 * 320 * 3) / 2, raw.length - (480 * 320) / 2);
  return y.reduce((sum, v) => sum + v, 0) / y.length;
}

function durationOf(bytes: Buffer, name: string): number {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return Number(
    execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path]).toString(),
  );
}

describe('takes, loop and extend', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await createStack({ limits: { maxActivePerUser: 3, dailySecondsPerUser: 60 } });
    stack.sim.knobs.distinctClips = true;
  });
  afterEach(async () => stack.close());

  it('GIVEN takes:3 THEN one enqueue asks for 3 generations and one message carries 3 different videos', async () => {
    await stack.startWorker();
    const input = submitInput({ takes: 3 });
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error(accepted.error.message);
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'done', 'the takes');
    expect(stack.sim.counters.enqueue).toBe(1);
    expect(stack.sim.rows.size).toBe(3);
    const message = stack.chat.videos()[0];
    expect(message?.videoFiles).toHaveLength(3);
    expect(message?.text).toContain('your 3 takes are ready');
    const sizes = new Set(message?.videoFiles?.map((v) => v.data.toString('base64')));
    expect(sizes.size).toBe(3);
    expect((await stack.intake.status(input.requester)).usedSecondsToday).toBe(15);
  });

  it('GIVEN takes:3 and a quota that holds only two THEN it is refused and nothing reaches Oxen', async () => {
    await stack.close();
    stack = await createStack({ limits: { dailySecondsPerUser: 10 } });
    const refused = await stack.intake.submit(submitInput({ takes: 3 }));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('user_daily_limit');
    expect(stack.sim.counters.enqueue).toBe(0);
  });

  it('GIVEN loop THEN Oxen gets the start image as the end frame too, and the caption says it loops', async () => {
    await stack.startWorker();
    const accepted = await stack.intake.submit(submitInput({ loop: true }));
    if (!accepted.ok) throw new Error(accepted.error.message);
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'done', 'the loop');
    const row = [...stack.sim.rows.values()][0];
    expect(row?.input_image).toBeTruthy();
    expect(row?.tail_image_url).toBe(row?.input_image);
    expect(stack.chat.videos()[0]?.text).toContain('loop');
  });

  it('GIVEN loop and an end image THEN it is refused plainly', async () => {
    const refused = await stack.intake.submit(submitInput({ loop: true, endImage: submitInput().startImage }));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('loop_with_end_image');
  });

  it('GIVEN ⏩ on a delivered video THEN part 2 starts from its exact last frame and a stitched video of both follows', async () => {
    await stack.startWorker();
    const input = submitInput();
    const first = await stack.intake.submit(input);
    if (!first.ok) throw new Error(first.error.message);
    await eventually(async () => (await attemptState(stack, first.value.requestId)) === 'done', 'part 1');
    const part1 = stack.chat.videos()[0];
    if (!part1?.video) throw new Error('no part 1');

    const stranger = { platform: 'discord' as const, userId: 'STRANGER', displayName: 'someone' };
    const refused = await stack.intake.extend(part1.ref, stranger, 'ev-stranger');
    expect(refused.ok).toBe(false);

    const second = await stack.intake.extend(part1.ref, input.requester, 'ev-extend');
    if (!second.ok) throw new Error(second.error.message);
    await eventually(async () => (await attemptState(stack, second.value.requestId)) === 'done', 'part 2');
    expect(stack.sim.counters.enqueue).toBe(2);

    // The staged start image of part 2 is the last frame of part 1.
    const rows = [...stack.sim.rows.values()];
    const inputUrl = String(rows[1]?.input_image ?? '');
    const staged = [...stack.sim.files.entries()].find(([key]) => inputUrl.includes(key.split('/').slice(2).join('/')));
    if (!staged) throw new Error(`part 2's input ${inputUrl} is not among the staged files`);
    const lastOfPart1 = meanLuma(part1.video.data, 'part1.mp4', true);
    expect(Math.abs(meanLuma(staged[1].bytes, 'staged.png') - lastOfPart1)).toBeLessThan(1.5);

    const videos = stack.chat.videos();
    expect(videos).toHaveLength(3);
    const stitched = videos[2];
    expect(stitched?.text).toContain('part 2 · 10 s total');
    expect(durationOf(stitched?.video?.data as Buffer, 'stitched.mp4')).toBeCloseTo(10, 0);
  });

  it('GIVEN a crash between the part and the stitched video THEN the stitched video is posted once', async () => {
    await stack.startWorker();
    const { second } = await extendFirstPart(stack, 'ev-extend-2');
    await eventually(async () => (await attemptState(stack, second.requestId)) === 'done', 'part 2');
    // The re-run a crash right after the stitched post would cause: the stitch step runs again.
    const queue = new Queue<AnimateJobData>(ANIMATE_QUEUE, { connection: stack.redis, prefix: stack.prefix });
    try {
      const job = await queue.getJob(second.jobId);
      await eventually(async () => (await job?.getState()) === 'completed', 'the job completed');
      await stack.redis.hset(`${stack.prefix}:animate:att:${second.requestId}:1`, 'state', 'delivering');
      await job?.updateData({ ...(job.data as AnimateJobData), step: 'stitch' });
      await job?.retry('completed');
      await eventually(async () => (await attemptState(stack, second.requestId)) === 'done', 'the re-run');
    } finally {
      await queue.close();
    }
    expect(stack.chat.videos().filter((m) => m.text.includes('total'))).toHaveLength(1);
  });
});
