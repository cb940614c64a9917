import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CheckedImage } from '../core/images.js';
import type { ImageFetcher } from '../core/ports/image-fetcher.js';
import type { ImageStore } from '../core/ports/image-store.js';
import type { CompletionEventHub, GenerationStatus, OxenPort } from '../core/ports/oxen.js';
import { type Refusal, type RefusalField, refusal } from '../core/refusal.js';
import { checkImageBytes } from '../media/check-image.js';
import { downloadWithFreshLink } from '../queue/worker/result-download.js';
import { isAbortError } from '../shared/abort.js';
import { err, type Result } from '../shared/result.js';
import type { AnimateArgs } from './args.js';

/** Where the CLI tells the person what happens. */
export interface CliUi {
  /** One finished step ("Uploaded the image", "Enqueued generation …"). */
  step(text: string): void;
  /** The live line: current state and time since enqueue. Called about once a second. */
  progress(state: GenerationStatus, elapsedMs: number): void;
  /** Something worth knowing that does not stop the run. */
  warn(text: string): void;
}

/** Everything the flow needs; `src/cli/compose.ts` builds the real ones. */
export interface CliDeps {
  oxen: OxenPort;
  events: CompletionEventHub;
  /** For images given as URLs. */
  imageFetcher: ImageFetcher;
  model: string;
  /** `namespace/name` of the public repo inputs are staged in (named in messages). */
  inputRepo: string;
  /** Stages the inputs: the worker's Oxen image store on {@link inputRepo} (`src/storage/oxen.ts`). */
  imageStore: ImageStore;
  ui: CliUi;
  /** Fallback status poll interval (the SSE event normally comes first). @defaultValue 10_000 */
  pollMs?: number;
}

/** How a run ended. */
export type AnimationOutcome =
  | { kind: 'done'; path: string; bytes: number; generationId: string; elapsedMs: number }
  | { kind: 'refused'; refusal: Refusal }
  | { kind: 'failed'; generationId: string; reason: string }
  | { kind: 'cancelled'; generationId: string | null };

const TERMINAL = new Set<GenerationStatus>(['succeeded', 'failed', 'cancelled']);

async function loadImage(deps: CliDeps, source: string, field: RefusalField, signal: AbortSignal) {
  if (/^https?:\/\//i.test(source)) return deps.imageFetcher.fetch(source, { field, signal });
  let bytes: Uint8Array;
  try {
    bytes = await readFile(source);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return err(refusal('image_unreachable', field, { reason: code === 'ENOENT' ? `no file at ${source}` : code }));
  }
  return checkImageBytes(bytes, field);
}

/** Stages `image` the way the worker's stage step does, and returns the URL Oxen is given. */
async function stage(deps: CliDeps, image: CheckedImage, signal: AbortSignal, staged: string[]): Promise<string> {
  const copy = await deps.imageStore.put(randomUUID(), image, signal);
  if (copy.ref) staged.push(copy.ref);
  return deps.imageStore.linkFor(copy, signal);
}

/**
 * Deletes the staged inputs once Oxen no longer needs them (the generation ended, or never started): the
 * repository is public. Its history keeps them (README.md, "Where input images are kept").
 */
async function unstage(deps: CliDeps, staged: readonly string[]): Promise<void> {
  for (const ref of staged) {
    await deps.imageStore.remove(ref, AbortSignal.timeout(10_000)).catch((error: unknown) => {
      deps.ui.warn(`Could not delete ${ref}: ${(error as Error).message}`);
    });
  }
}

interface Finished {
  status: GenerationStatus;
  url: string | null;
  reason: string | null;
}

/**
 * Waits for a terminal state: the SSE event, or a status poll (on an interval, and at once after every
 * stream reconnect, since events during a gap are lost). Resolves null when `signal` aborts.
 */
function waitForEnd(deps: CliDeps, generationId: string, signal: AbortSignal): Promise<Finished | null> {
  const started = Date.now();
  let state: GenerationStatus = 'queued';
  return new Promise((resolve) => {
    const cleanups: Array<() => void> = [];
    let settled = false;
    const finish = (value: Finished | null) => {
      if (settled) return;
      settled = true;
      for (const cleanup of cleanups) cleanup();
      resolve(value);
    };
    const poll = async () => {
      try {
        const row = await deps.oxen.getStatus(generationId, signal);
        state = row.status;
        if (TERMINAL.has(row.status)) finish({ status: row.status, url: row.resultUrl, reason: row.reason });
      } catch (error) {
        if (!isAbortError(error) && !signal.aborted) deps.ui.warn(`Status check failed: ${(error as Error).message}`);
      }
    };
    cleanups.push(deps.events.waitFor(generationId, (e) => finish({ status: e.status, url: e.url, reason: e.reason })));
    cleanups.push(deps.events.onReconnect(() => void poll()));
    const poller = setInterval(() => void poll(), deps.pollMs ?? 10_000);
    const ticker = setInterval(() => deps.ui.progress(state, Date.now() - started), 1000);
    cleanups.push(
      () => clearInterval(poller),
      () => clearInterval(ticker),
    );
    const onAbort = () => finish(null);
    if (signal.aborted) return finish(null);
    signal.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => signal.removeEventListener('abort', onAbort));
    deps.ui.progress(state, 0);
    void poll();
  });
}

/**
 * One generation, start to finish, through the real client: check inputs like the bot, stage them,
 * enqueue (with the event stream already open, since it has no replay), wait, download, and delete the
 * staged inputs from the repository. Aborting `signal` (Ctrl-C) cancels the generation at Oxen.
 */
export async function runAnimation(deps: CliDeps, args: AnimateArgs, signal: AbortSignal): Promise<AnimationOutcome> {
  const start = await loadImage(deps, args.image, 'image', signal);
  if (!start.ok) return { kind: 'refused', refusal: start.error };
  let end: Result<CheckedImage, Refusal> | undefined;
  if (args.endImage) {
    end = await loadImage(deps, args.endImage, 'end_image', signal);
    if (!end.ok) return { kind: 'refused', refusal: end.error };
  }
  deps.ui.step(`Image OK: ${start.value.width}×${start.value.height} ${start.value.ext.toUpperCase()}`);

  const staged: string[] = [];
  try {
    return await generate(deps, args, signal, start.value, end?.ok ? end.value : undefined, staged);
  } finally {
    await unstage(deps, staged);
  }
}

async function generate(
  deps: CliDeps,
  args: AnimateArgs,
  signal: AbortSignal,
  start: CheckedImage,
  end: CheckedImage | undefined,
  staged: string[],
): Promise<AnimationOutcome> {
  const inputImage = await stage(deps, start, signal, staged);
  const tailImageUrl = end ? await stage(deps, end, signal, staged) : undefined;
  deps.ui.step(`Staged in ${deps.inputRepo}`);

  await deps.events.start();
  if (signal.aborted) return { kind: 'cancelled', generationId: null };
  const input = { model: deps.model, prompt: args.prompt, inputImage, duration: args.duration };
  // No signal here: once the request is sent the generation may exist (and is billed) even if Ctrl-C
  // comes now, so let the answer arrive and cancel by id below instead of orphaning it.
  const { generationId } = await deps.oxen.enqueue(tailImageUrl ? { ...input, tailImageUrl } : input);
  deps.ui.step(`Enqueued generation ${generationId} (${args.duration} s video)`);
  const started = Date.now();

  const result = await waitForEnd(deps, generationId, signal);
  if (!result) {
    // Ctrl-C: the caller's signal is gone, so cancel with a short budget of its own.
    await deps.oxen.cancel(generationId, AbortSignal.timeout(10_000)).catch((error: unknown) => {
      deps.ui.warn(`Could not cancel at Oxen: ${(error as Error).message}`);
    });
    return { kind: 'cancelled', generationId };
  }
  if (result.status === 'cancelled') return { kind: 'cancelled', generationId };
  if (result.status === 'failed') return { kind: 'failed', generationId, reason: result.reason ?? 'no reason given' };

  await mkdir(dirname(args.out), { recursive: true });
  const file = await downloadWithFreshLink(deps.oxen, generationId, result.url, args.out, {
    signal,
    onStaleLink: (error) => deps.ui.warn(`Download failed (${(error as Error).message}); asking Oxen for a fresh link`),
  });
  return { kind: 'done', path: file.path, bytes: file.bytes, generationId, elapsedMs: Date.now() - started };
}
