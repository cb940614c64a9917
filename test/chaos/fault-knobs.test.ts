import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatError } from '../../src/core/errors.js';
import type { MessageView } from '../../src/core/views.js';
import { calmChaos, type OxenSimulator, startOxenSimulator } from '../../src/simulator/simulator.js';
import { calmChatChaos, createMemoryChat } from '../fakes/chat/memory-chat.js';
import { checkInvariants, type Snapshot } from './invariants.js';

const MODEL = 'kling-video-o1-image-to-video';

describe('Oxen simulator chaos knobs', () => {
  let sim: OxenSimulator;
  beforeEach(async () => {
    sim = await startOxenSimulator({ knobs: { queuedMs: 50, processingMs: 50 } });
  });
  afterEach(async () => sim.close());

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${sim.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const enqueue = () => call('POST', '/api/ai/queue', { model: MODEL, prompt: 'p', input_image: 'x', duration: 5 });

  it('GIVEN lost answers on enqueue THEN every generation is created although no answer says so', async () => {
    sim.knobs.chaos = { ...calmChaos(7), lostAnswer: { enqueue: 1 } };
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        enqueue().then(
          (res) => res.status,
          () => 'connection lost',
        ),
      ),
    );
    expect(outcomes.every((o) => o === 502 || o === 'connection lost')).toBe(true);
    expect(sim.rows.size).toBe(8);
    expect((sim.injected['enqueue:lost'] ?? 0) + (sim.injected['enqueue:lost-502'] ?? 0)).toBe(8);
  });

  it('GIVEN late rows on enqueue THEN the answer is lost before any row exists and the row appears later', async () => {
    sim.knobs.chaos = { ...calmChaos(7), lateRow: 1, lateRowMs: [300, 300] };
    const outcome = await enqueue().then(
      (res) => res.status,
      () => 'connection lost',
    );
    expect([504, 'connection lost']).toContain(outcome);
    expect(sim.rows.size).toBe(0);
    await new Promise((r) => setTimeout(r, 600));
    expect(sim.rows.size).toBe(1);
  });

  it('GIVEN HTML error pages THEN a 403, 404, 502 or 503 comes back as text/html, not JSON', async () => {
    sim.knobs.chaos = { ...calmChaos(1), htmlError: { all: 1 } };
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const res = await call('GET', '/api/ai/queue');
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toMatch(/^<html>/);
      seen.add(res.status);
    }
    expect([...seen].every((s) => [403, 404, 502, 503].includes(s))).toBe(true);
    expect(seen.size).toBeGreaterThan(1);
  });

  it('GIVEN 200s with an error body THEN enqueue makes no row and a read gets the error envelope', async () => {
    sim.knobs.chaos = { ...calmChaos(1), errorBody200: { all: 1 } };
    const res = await enqueue();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ generations: [], error: { type: 'unknown_error' } });
    expect(sim.rows.size).toBe(0);
    const read = await call('GET', '/api/ai/queue');
    expect(await read.json()).toMatchObject({ status: 'error' });
  });

  it('GIVEN ignored DELETEs and unknown statuses THEN the cancel answers success and the row runs on, read as a status the docs do not list', async () => {
    sim.knobs.holdQueue = true;
    await enqueue();
    const id = [...sim.rows.keys()][0] as string;
    sim.knobs.chaos = { ...calmChaos(1), ignoreDelete: 1, unknownStatus: 1 };
    const cancel = await call('DELETE', `/api/ai/queue/${id}`);
    expect(await cancel.json()).toMatchObject({ status: 'success' });
    expect(sim.rows.get(id)?.status).toBe('queued');
    const row = (await (await call('GET', `/api/ai/queue/${id}`)).json()) as { status: string };
    expect(['preprocessing', 'pending_review']).toContain(row.status);
  });

  it('GIVEN rows without enqueued_at and echoed prompts THEN reads omit it and echo the prompt trimmed or NFC', async () => {
    sim.knobs.chaos = { ...calmChaos(1), noEnqueuedAt: 1, promptEcho: 1 };
    const prompt = ' a cafe\u0301 ';
    await call('POST', '/api/ai/queue', { model: MODEL, prompt, input_image: 'x', duration: 5 });
    const id = [...sim.rows.keys()][0] as string;
    const row = (await (await call('GET', `/api/ai/queue/${id}`)).json()) as Record<string, unknown>;
    expect(row).not.toHaveProperty('enqueued_at');
    expect([prompt.trim(), prompt.normalize('NFC')]).toContain(row.prompt);
  });

  it('GIVEN a gateway page cap THEN list and history pages hold at most that many rows', async () => {
    sim.knobs.holdQueue = true;
    sim.knobs.pageCap = 3;
    for (let i = 0; i < 7; i++) await enqueue();
    const page = async (path: string) =>
      ((await (await call('GET', path)).json()) as { generations: unknown[] }).generations;
    expect(await page('/api/ai/queue')).toHaveLength(3);
    expect(await page('/api/ai/queue?page=3&page_size=1000')).toHaveLength(1);
    expect(await page('/api/ai/generations?page=1&page_size=500')).toHaveLength(3);
  });

  it('GIVEN garbage answers on enqueue THEN the generation exists and the 200 body is not the contract', async () => {
    sim.knobs.chaos = { ...calmChaos(7), enqueueGarbage: 1 };
    const res = await enqueue();
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toMatch(/"generation_id":"[^"]+"/);
    expect(sim.rows.size).toBe(1);
  });

  it('GIVEN the same seed THEN the same faults fire in the same order, and none once chaos is off', async () => {
    const run = async () => {
      sim.knobs.chaos = { ...calmChaos(42), serverError: { status: 0.5 }, rateLimit: { status: 0.2 } };
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await call('GET', '/api/ai/queue/nope')).status);
      return statuses;
    };
    const first = await run();
    expect(first.some((s) => s >= 500) && first.some((s) => s === 429) && first.some((s) => s === 404)).toBe(true);
    expect(await run()).toEqual(first);
    sim.knobs.chaos = null;
    expect((await call('GET', '/api/ai/queue/nope')).status).toBe(404);
  });

  it('GIVEN 429 chaos THEN the answer carries the small Retry-After', async () => {
    sim.knobs.chaos = { ...calmChaos(1), rateLimit: { all: 1 }, retryAfter: '1' };
    const res = await call('GET', '/api/ai/queue');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
  });

  it('GIVEN slow bodies THEN headers come first and the body trickles in over the set time', async () => {
    sim.knobs.chaos = { ...calmChaos(1), slowBody: { list: 1 }, slowBodyMs: [1_600, 1_600] };
    const start = Date.now();
    const res = await call('GET', '/api/ai/queue');
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const chunks: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    const body = Buffer.concat(chunks).toString();
    expect(JSON.parse(body)).toMatchObject({ count: 0 });
    // Eight pieces 200 ms apart: the first read holds only part of the body, and the whole takes 1.6 s.
    expect(chunks.length).toBeGreaterThan(1);
    expect(Date.now() - start).toBeGreaterThanOrEqual(1_600);
  });

  it('GIVEN an SSE storm THEN a new stream opens with 200 and ends at once', async () => {
    sim.knobs.chaos = { ...calmChaos(1), sseStorm: 1, sseStormMs: 5_000 };
    const res = await call('GET', '/api/events');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(sim.injected['sse:storm-close']).toBe(1);
  });

  it('GIVEN a cancel that loses the race THEN the row ends succeeded and the DELETE changes nothing', async () => {
    sim.knobs.holdQueue = true;
    sim.knobs.chaos = { ...calmChaos(1), cancelLoses: 1 };
    const { generations } = (await (await enqueue()).json()) as { generations: { generation_id: string }[] };
    const id = generations[0]?.generation_id ?? '';
    expect((await call('DELETE', `/api/ai/queue/${id}`)).status).toBe(200);
    expect(sim.rows.get(id)?.status).toBe('succeeded');
    expect(sim.rows.get(id)?.result_url).toBeTruthy();
  });

  it('GIVEN run-time failure chaos THEN generations end failed with a reason', async () => {
    sim.knobs.chaos = { ...calmChaos(1), runFailure: 1 };
    const res = await enqueue();
    const { generations } = (await res.json()) as { generations: { generation_id: string }[] };
    const id = generations[0]?.generation_id ?? '';
    await expect.poll(() => sim.rows.get(id)?.status).toBe('failed');
    expect(sim.rows.get(id)?.error_message).toBeTruthy();
  });
});

describe('chat fake chaos knobs', () => {
  const where = { platform: 'discord' as const, channelId: 'C', threadId: 'T' };
  const view: MessageView = { kind: 'notice', text: 'hello' };

  it('GIVEN a lost answer on post THEN the retry with the same idempotency key gets the same message', async () => {
    const chat = createMemoryChat();
    chat.chaos = { ...calmChatChaos(3), lostAnswer: { post: 1 } };
    const lost = await chat.port.post(where, view, { idempotencyKey: 'k1' }).catch((e: unknown) => e);
    expect(lost instanceof ChatError && lost.kind).toBe('transient');
    chat.chaos = null;
    const ref = await chat.port.post(where, view, { idempotencyKey: 'k1' });
    expect(chat.messages).toHaveLength(1);
    expect(chat.messages[0]?.ref).toEqual(ref);
    expect(chat.injected['post:transient']).toBe(1);
  });

  it('GIVEN forbidden and rate-limit chaos THEN calls fail with those kinds and do nothing', async () => {
    const chat = createMemoryChat();
    const ref = await chat.port.post(where, view);
    chat.chaos = { ...calmChatChaos(3), forbidden: { react: 1 }, rateLimited: { edit: 1 }, retryAfterMs: 150 };
    const react = await chat.port.react(ref, 'retry').catch((e: unknown) => e);
    expect(react instanceof ChatError && react.kind).toBe('forbidden');
    const edit = await chat.port.edit(ref, { kind: 'notice', text: 'changed' }).catch((e: unknown) => e);
    expect(edit instanceof ChatError && edit.kind === 'rate_limited' && edit.retryAfterMs).toBe(150);
    expect(chat.messages[0]?.reactions).toEqual([]);
    expect(chat.messages[0]?.text).toBe('hello');
  });

  it('GIVEN refused uploads THEN the file is refused as forbidden or archived while a message still posts', async () => {
    const chat = createMemoryChat();
    chat.chaos = { ...calmChatChaos(5), refusedUpload: 1 };
    const file = { path: new URL(import.meta.url).pathname, filename: 'a.mp4', bytes: 1 };
    const kinds = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const refused = await chat.port.uploadVideo(where, file, view).catch((e: unknown) => e);
      if (refused instanceof ChatError) kinds.add(refused.kind);
    }
    expect([...kinds].sort()).toEqual(['archived', 'forbidden']);
    await chat.port.post(where, view);
    expect(chat.messages).toHaveLength(1);
    expect(chat.videos()).toHaveLength(0);
  });
});

describe('chaos invariant checker', () => {
  const clean = (): Snapshot => ({
    requests: [
      {
        requestId: 'r1',
        userKey: 'discord:U1',
        channel: 'discord:C1',
        duration: 5,
        attempts: [
          {
            requestId: 'r1',
            attempt: 1,
            jobId: 'j1',
            state: 'done',
            createdAt: 1_000,
            quotaDay: '2026-01-01',
            generationId: 'g1',
            submittedAt: 2_000,
            endedAt: 5_000,
          },
        ],
      },
    ],
    generations: [{ id: 'g1', status: 'succeeded', requestId: 'r1', createdAtMs: 2_000 }],
    chat: new Map([['r1#1', { videos: 1, progress: 1, shows: 'done' }]]),
    ledger: {
      active: new Map(),
      used: new Map([['discord:U1 2026-01-01', 5]]),
      channelUsed: new Map([['discord:C1 2026-01-01', 5]]),
      slotsHeld: [],
      slotsWaiting: [],
    },
    timeoutMs: 20_000,
    graceMs: 10_000,
  });
  const broken = (snap: Snapshot) =>
    Object.fromEntries(checkInvariants(snap).map((r) => [r.name, r.violations.length]));

  it('GIVEN a clean run THEN nothing is reported', () => {
    expect(Object.values(broken(clean())).every((n) => n === 0)).toBe(true);
  });

  it('GIVEN a second paid generation, a leaked slot and member, and a late end THEN each is named', () => {
    const snap = clean();
    snap.generations.push({ id: 'g2', status: 'succeeded', requestId: 'r1', createdAtMs: 2_500 });
    snap.ledger.slotsHeld.push('j1');
    snap.ledger.active.set('discord:U1', ['r1#1']);
    const attempt = snap.requests[0]?.attempts[0];
    if (attempt) attempt.endedAt = 40_000;
    const results = checkInvariants(snap);
    const of = (name: string) => results.find((r) => r.name === name)?.violations ?? [];
    expect(of('billed-once')).toEqual(['r1#1 billed 2 times: g1 succeeded, g2 succeeded']);
    expect(of('delivered-or-cancelled')[0]).toContain('gen g2');
    expect(of('slots-released')[0]).toContain('job j1 (r1#1, attempt done)');
    expect(of('quota-released')[0]).toContain('still holds r1#1');
    expect(of('finished-in-time')[0]).toContain('38 s after submission');
  });

  it('GIVEN a failed attempt whose video was posted and whose seconds were refunded THEN both are reported', () => {
    const snap = clean();
    const attempt = snap.requests[0]?.attempts[0];
    if (attempt) attempt.state = 'failed';
    snap.ledger.used.set('discord:U1 2026-01-01', 0);
    const counts = broken(snap);
    expect(counts['outcome-matches-chat']).toBe(1);
    expect(counts['quota-released']).toBe(1);
  });

  it("GIVEN a channel's seconds kept for a video never delivered, or given back twice THEN quota-released names the channel", () => {
    const snap = clean();
    snap.chat.set('r1#1', { videos: 0, progress: 1, shows: 'failed' });
    const attempt = snap.requests[0]?.attempts[0];
    if (attempt) attempt.state = 'failed';
    snap.ledger.used.set('discord:U1 2026-01-01', 0);
    const kept = checkInvariants(snap).find((r) => r.name === 'quota-released')?.violations;
    expect(kept).toEqual(['channel/day discord:C1 2026-01-01: 5 s used, 0 s delivered (0 videos): 5 s never refunded']);
    const twice = clean();
    twice.ledger.channelUsed.set('discord:C1 2026-01-01', 0);
    expect(checkInvariants(twice).find((r) => r.name === 'quota-released')?.violations).toEqual([
      'channel/day discord:C1 2026-01-01: 0 s used, 5 s delivered (1 videos): 5 s refunded too often',
    ]);
  });

  it('GIVEN an ended attempt whose progress message stopped at an earlier state THEN final-state-shown names it', () => {
    const snap = clean();
    snap.chat.set('r1#1', { videos: 1, progress: 1, shows: 'delivering' });
    const results = checkInvariants(snap);
    expect(results.find((r) => r.name === 'final-state-shown')?.violations).toEqual([
      'r1#1 done, its progress message shows delivering',
    ]);
  });
});
