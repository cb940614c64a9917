/**
 * The steps the queue's integration tests take again and again against a running stack (simulator, real
 * Oxen client, Redis, intake, worker, memory chat): submit and insist it was accepted, wait for an attempt
 * to settle, extend a first part, read the quota, and the Oxen fault that meets only the first enqueue.
 * Typed by what they touch, so any stack with these members can use them.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CheckedImage } from '../../src/core/images.js';
import type { Accepted, SubmitFields, SubmitInput } from '../../src/core/intake.js';
import type { CompletionEventHub, OxenPort } from '../../src/core/ports/oxen.js';
import type { QueueIntake } from '../../src/queue/intake.js';
import type { OxenSimulator, SimChaos } from '../../src/simulator/simulator.js';
import type { FakeMessage, MemoryChat } from '../fakes/chat/memory-chat.js';
import { eventually } from './eventually.js';
import { makePng } from './images.js';

/** What the helpers below drive of a test stack. */
export interface FlowStack {
  intake: QueueIntake;
  redis: Redis;
  prefix: string;
  chat: MemoryChat;
  oxen: OxenPort;
  sim: OxenSimulator;
}

/** A checked 640×480 PNG. */
export function pngImage(): CheckedImage {
  return { bytes: new Uint8Array(makePng(640, 480)), mime: 'image/png', ext: 'png', width: 640, height: 480 };
}

let seq = 0;
/** What a test may set of a {@link SubmitInput}: its fields, and the images as checked bytes. */
export type SubmitOverrides = Partial<SubmitFields & { startImage: CheckedImage; endImage: CheckedImage }>;

/** A SubmitInput from `userId` in channel C1, with a fresh event id unless given. */
export function submitInput(overrides: SubmitOverrides = {}, userId = 'U1'): SubmitInput {
  seq++;
  return {
    eventId: `discord-${randomUUID()}`,
    requester: { platform: 'discord', userId, displayName: `user ${userId}` },
    where: { platform: 'discord', channelId: 'C1', threadId: `T${seq}` },
    prompt: 'a cat surfing a wave at sunset',
    duration: 5,
    startImage: pngImage(),
    uploadLimitBytes: 10 * 1024 * 1024,
    ...overrides,
  };
}

/** Reads an attempt's state as stored. */
export async function attemptState(stack: FlowStack, requestId: string, attempt = 1): Promise<string | undefined> {
  return (await stack.redis.hget(`${stack.prefix}:animate:att:${requestId}:${attempt}`, 'state')) ?? undefined;
}

/** Submits {@link submitInput}`(overrides, userId)`; a refusal fails the test, naming its code. */
export async function submitted(
  stack: FlowStack,
  overrides: SubmitOverrides = {},
  userId = 'U1',
): Promise<Accepted & { input: SubmitInput }> {
  const input = submitInput(overrides, userId);
  const accepted = await stack.intake.submit(input);
  if (!accepted.ok) throw new Error(`refused: ${accepted.error.code}`);
  return { input, ...accepted.value };
}

/** The requester's requests in flight and seconds used today, as `/animate status` reports them. */
export async function quotaOf(stack: FlowStack, input: SubmitInput): Promise<{ active: number; used: number }> {
  const status = await stack.intake.status(input.requester);
  return { active: status.active.length, used: status.usedSecondsToday };
}

/** Waits until the attempt is done or failed, and returns which. */
export async function settled(stack: FlowStack, requestId: string, what: string): Promise<string> {
  return eventually(async () => {
    const state = await attemptState(stack, requestId);
    return state === 'done' || state === 'failed' ? state : null;
  }, what);
}

/**
 * Makes a first part and asks for its extension (⏩) as the same person: returns both accepted requests
 * and the first part's posted video. The second part is not waited for.
 */
export async function extendFirstPart(
  stack: FlowStack,
  eventId: string,
): Promise<{ input: SubmitInput; first: Accepted; part1: FakeMessage; second: Accepted }> {
  const { input, ...first } = await submitted(stack);
  await eventually(async () => (await attemptState(stack, first.requestId)) === 'done', 'part 1');
  const part1 = stack.chat.videos()[0];
  if (!part1) throw new Error('no part 1');
  const second = await stack.intake.extend(part1.ref, input.requester, eventId);
  if (!second.ok) throw new Error(second.error.message);
  return { input, first, part1, second: second.value };
}

/** A hub that never hears anything: completions are only found by the reconciler and the timeout. */
export const deafHub: CompletionEventHub = {
  waitFor: () => () => undefined,
  onEvent: () => () => undefined,
  onReconnect: () => () => undefined,
  isConnected: () => true,
  reconnectCount: () => 0,
  start: async () => undefined,
  close: async () => undefined,
};

/**
 * An Oxen port whose first enqueue meets `chaos`; every later call meets a calm simulator. `before` runs
 * ahead of that first enqueue (another enqueue of the same take reaching Oxen), `after` once it ended.
 */
export function firstEnqueueMeets(
  stack: FlowStack,
  chaos: SimChaos,
  around: { before?(...call: Parameters<OxenPort['enqueue']>): Promise<unknown>; after?(): Promise<unknown> } = {},
): OxenPort {
  let first = true;
  return {
    ...stack.oxen,
    async enqueue(input, signal) {
      if (!first) return stack.oxen.enqueue(input, signal);
      first = false;
      await around.before?.(input, signal);
      stack.sim.knobs.chaos = chaos;
      try {
        return await stack.oxen.enqueue(input, signal);
      } finally {
        stack.sim.knobs.chaos = null;
        await around.after?.();
      }
    },
  };
}
