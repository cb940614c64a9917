import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { SimChaosDice } from './sim-chaos.js';
import { inputProblem } from './sim-media.js';
import { END_FIELDS, SIM_MODELS, type SimModel, START_FIELDS, schemaProblem } from './sim-models.js';
import type { SimCounters, SimKnobs, SimRow } from './sim-types.js';

const now = () => Math.floor(Date.now() / 1000);

/**
 * The simulator's generations and SSE subscribers: timers move rows queued → processing → terminal,
 * inputs are checked at run time (like Oxen, which accepts anything at enqueue), and each terminal
 * `succeeded`/`failed` is broadcast to the streams open at that moment (no buffering, no replay).
 */
export class SimEngine {
  public readonly rows = new Map<string, SimRow>();
  /** When each generation was created, in ms (rows only carry whole seconds). */
  public readonly createdAtMs = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private held: SimRow[] = [];
  private readonly streams = new Set<ServerResponse>();
  private readonly keepAlive = new Map<ServerResponse, NodeJS.Timeout>();
  /** Generations whose rows are read without `enqueued_at` (chaos `noEnqueuedAt`). */
  private readonly withoutEnqueuedAt = new Set<string>();
  /** Streams left open but silent (chaos `sseMute`): a half-dead connection. */
  private readonly muted = new Set<ServerResponse>();

  public constructor(
    private readonly knobs: SimKnobs,
    private readonly counters: SimCounters,
    private readonly resultUrls: (id: string) => { resultUrl: string; presignedUrl: string },
    private readonly dice?: SimChaosDice,
  ) {}

  /** The models served, by id (the simulator sets its own catalogue). */
  public models: Record<string, SimModel> = SIM_MODELS;

  /** The request fields a row echoes, as the enqueue sent them (its bookkeeping fields left out). */
  private bodyOf(row: SimRow): Record<string, unknown> {
    const {
      generation_id: _id,
      model_name: _model,
      media_type: _media,
      status: _status,
      enqueued_at: _enqueued,
      started_at: _started,
      completed_at: _completed,
      result_url: _result,
      error_message: _error,
      target_namespace: _ns,
      target_repo: _repo,
      target_directory: _dir,
      ...body
    } = row;
    return body;
  }

  /** Creates a queued row and schedules its run. */
  public enqueue(body: Record<string, unknown>, model: string): SimRow {
    const id = randomUUID();
    const { model: _model, num_generations: _n, ...echoed } = body;
    const row: SimRow = {
      ...echoed,
      generation_id: id,
      model_name: model,
      media_type: 'video',
      status: 'queued',
      enqueued_at: now(),
      started_at: null,
      completed_at: null,
      result_url: null,
      error_message: null,
      prompt: typeof body.prompt === 'string' ? body.prompt : null,
      target_namespace: null,
      target_repo: null,
      target_directory: null,
    };
    if (typeof row.prompt === 'string' && this.dice?.chance(this.dice.chaos?.promptEcho)) {
      const trim = this.dice.chance(0.5);
      this.dice.count(trim ? 'row:prompt-trimmed' : 'row:prompt-nfc');
      row.prompt = trim ? row.prompt.trim() : row.prompt.normalize('NFC');
    }
    if (this.dice?.chance(this.dice.chaos?.noEnqueuedAt)) {
      this.dice.count('row:no-enqueued-at');
      this.withoutEnqueuedAt.add(id);
    }
    this.rows.set(id, row);
    this.createdAtMs.set(id, Date.now());
    this.schedule(id, this.knobs.queuedMs, () => (this.knobs.holdQueue ? void this.held.push(row) : this.start(row)));
    return row;
  }

  /**
   * A row as one read sends it: without `enqueued_at` for a generation drawn so (chaos `noEnqueuedAt`),
   * and a running row's status may read as one the docs do not list (chaos `unknownStatus`).
   */
  public wire(row: SimRow): Record<string, unknown> {
    const out: Record<string, unknown> = { ...row };
    if (this.withoutEnqueuedAt.has(row.generation_id)) delete out.enqueued_at;
    const running = row.status === 'queued' || row.status === 'processing';
    if (running && this.dice?.chance(this.dice.chaos?.unknownStatus)) {
      this.dice.count('read:unknown-status');
      out.status = this.dice.pick(['preprocessing', 'pending_review']);
    }
    return out;
  }

  /** Ends `holdQueue`: every held row starts processing now. */
  public release(): void {
    this.knobs.holdQueue = false;
    const rows = this.held;
    this.held = [];
    for (const row of rows) if (row.status === 'queued') void this.start(row);
  }

  /** Cancels a queued or processing row (no event: Oxen sends none for cancellations). */
  public cancel(id: string): SimRow | undefined {
    const row = this.rows.get(id);
    if (!row) return undefined;
    const running = row.status === 'queued' || row.status === 'processing';
    if (running && this.dice?.chance(this.dice.chaos?.ignoreDelete)) {
      // Answered with success, yet the generation runs on to its own end.
      this.dice.count('cancel:ignored');
      return row;
    }
    if (running && this.dice?.chance(this.dice.chaos?.cancelLoses)) {
      // Too late: the generation finished a moment before the DELETE reached it.
      this.dice.count('cancel:too-late');
      clearTimeout(this.timers.get(id));
      this.timers.delete(id);
      row.status = 'processing';
      row.started_at ??= now();
      this.finish(row, null);
      return row;
    }
    if (row.status === 'queued' || row.status === 'processing') {
      clearTimeout(this.timers.get(id));
      this.timers.delete(id);
      row.status = 'cancelled';
      row.completed_at = now();
    }
    return row;
  }

  private schedule(id: string, ms: number, run: () => void | Promise<void>): void {
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        void run();
      }, ms),
    );
  }

  private async start(row: SimRow): Promise<void> {
    row.status = 'processing';
    row.started_at = now();
    const failure = await this.runTimeFailure(row);
    if ((row.status as string) === 'cancelled') return;
    let ms = this.knobs.processingMs;
    if (this.dice?.chance(this.dice.chaos?.slowGeneration)) {
      ms = Math.round(this.dice.between(this.dice.chaos?.slowGenerationMs ?? [ms, ms]));
      this.dice.count('run:slow');
    }
    this.schedule(row.generation_id, ms, () => this.finish(row, failure));
  }

  private async runTimeFailure(row: SimRow): Promise<string | null> {
    if (this.knobs.failNext > 0) {
      this.knobs.failNext--;
      return this.knobs.failMessage;
    }
    if (this.dice?.chance(this.dice.chaos?.runFailure)) {
      this.dice.count('run:failed');
      return this.dice.failureText();
    }
    if (this.knobs.insufficientCredits === 'async') return 'Insufficient credits';
    // Oxen takes any body at enqueue and fails a bad one when it runs (docs/oxen-api.md#enqueue): the
    // model's own schema first, then the images in whichever of its fields they came.
    const model = this.models[row.model_name];
    const refused = model ? schemaProblem(model, this.bodyOf(row)) : null;
    if (refused) return refused;
    const startField = START_FIELDS.find((f) => typeof row[f] === 'string');
    if (!startField) return 'input_image is required';
    const start = await inputProblem(row[startField] as string, startField);
    if (start) return start;
    const endField = END_FIELDS.find((f) => typeof row[f] === 'string');
    return endField ? inputProblem(row[endField] as string, endField) : null;
  }

  private finish(row: SimRow, failure: string | null): void {
    if (row.status !== 'processing') return;
    row.completed_at = now();
    if (failure) {
      row.status = 'failed';
      row.error_message = failure;
      this.broadcast('media_generation_completed', {
        generation_id: row.generation_id,
        status: 'failed',
        media_type: 'video',
        error: failure,
      });
      return;
    }
    const { resultUrl, presignedUrl } = this.resultUrls(row.generation_id);
    row.status = 'succeeded';
    row.result_url = resultUrl;
    this.broadcast('media_generation_completed', {
      generation_id: row.generation_id,
      status: 'succeeded',
      media_type: 'video',
      model: row.model_name,
      ...(this.knobs.eventUrls ? { url: presignedUrl } : {}),
    });
  }

  /** Registers an SSE response: headers, keep-alive comments, optional unrelated event. */
  public subscribe(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    if (this.dice?.stormCloses()) {
      // 200, then the stream ends at once: the client saw a successful open and must reconnect.
      this.counters.events++;
      this.dice.count('sse:storm-close');
      res.end();
      return;
    }
    this.streams.add(res);
    this.counters.events++;
    this.counters.sseConnectionsOpen = this.streams.size;
    if (this.knobs.deploymentEvents) {
      res.write(`event: deployment_status\ndata: {"deployment_id":"dep-1","status":"running"}\n\n`);
    }
    this.keepAlive.set(
      res,
      setInterval(() => {
        if (!this.muted.has(res)) res.write(': keep-alive\n\n');
      }, this.knobs.keepAliveMs),
    );
    res.on('close', () => this.unsubscribe(res));
  }

  private unsubscribe(res: ServerResponse): void {
    clearInterval(this.keepAlive.get(res));
    this.keepAlive.delete(res);
    this.streams.delete(res);
    this.muted.delete(res);
    this.counters.sseConnectionsOpen = this.streams.size;
  }

  /** Sends one event (one-line `data:`, no `id:`) to every open stream. */
  public broadcast(event: string, data: unknown): void {
    this.writeRaw(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Writes raw bytes to every open stream (malformed-event tests). */
  public writeRaw(text: string): void {
    for (const res of this.streams) if (!this.muted.has(res)) res.write(text);
  }

  /** One chaos tick: each open stream may be cut or go silent (`sseDrop`, `sseMute`). */
  public chaosTick(): void {
    const chaos = this.dice?.chaos;
    if (!this.dice || !chaos) return;
    for (const res of [...this.streams]) {
      if (this.dice.chance(chaos.sseDrop)) {
        this.dice.count('sse:drop');
        this.cut(res);
      } else if (!this.muted.has(res) && this.dice.chance(chaos.sseMute)) {
        this.dice.count('sse:mute');
        this.muted.add(res);
      }
    }
  }

  private cut(res: ServerResponse): void {
    this.unsubscribe(res);
    res.socket?.destroy();
    res.destroy();
  }

  /** Cuts every open SSE stream (the client sees the body end abruptly). */
  public dropStreams(): void {
    for (const res of [...this.streams]) this.cut(res);
  }

  /** Stops all timers and streams. */
  public stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.dropStreams();
  }

  /** Clears every generation. */
  public clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.rows.clear();
    this.createdAtMs.clear();
    this.withoutEnqueuedAt.clear();
    this.held = [];
  }
}
