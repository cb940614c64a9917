import { type ActionWords, midSentence, TAKE_ACTIONS } from './actions.js';
import { formatDuration, formatMb, formatUtcDateTime, formatUtcTime, promptPreview, truncatePrompt } from './format.js';
import type { SpendReport, UserStatus } from './intake.js';
import type { AttemptState, ChatLocation, Duration } from './model.js';
import { formatUsd } from './money.js';
import type { Refusal } from './refusal.js';
import type { MessageView, ModelTraits, ProgressView, ResultView, VideoLink } from './views.js';

/**
 * What differs between platforms in the bot's text, which each adapter supplies: the markup (Discord
 * markdown, Slack mrkdwn), how a place is linked, how person-written text is escaped, and the words for
 * the actions (an emoji to react with, a button to press). Everything else is core's.
 */
export interface TextFormat {
  bold(s: string): string;
  italic(s: string): string;
  mention(userId: string): string;
  /** Points at a channel or thread (`<#C1>`), or '' where the platform cannot link one. */
  place(where: ChatLocation): string;
  /** Escapes text a person wrote (prompts, names, Oxen's reasons) so it shows as typed and pings nobody. */
  escape(text: string): string;
  /** How a person takes each action here, as the start of a sentence ("React 🔁", "Press Retry"). */
  actions: ActionWords;
}

/** Width of the text progress bar, in cells. */
const BAR_CELLS = 10;
/** The bar never claims completion before the video is actually delivered. */
const BAR_CAP_BEFORE_DONE = 0.95;

const STATE_LABEL: Record<AttemptState, { emoji: string; label: string }> = {
  queued: { emoji: '⏳', label: 'Waiting for a slot' },
  staging: { emoji: '📥', label: 'Preparing the image' },
  submitted: { emoji: '📤', label: 'Sent to Oxen' },
  processing: { emoji: '🎞️', label: 'Animating' },
  delivering: { emoji: '📦', label: 'Uploading the video' },
  done: { emoji: '✅', label: 'Done' },
  failed: { emoji: '❌', label: 'Failed' },
  cancelled: { emoji: '🚫', label: 'Cancelled' },
};

/** "about 3 min left", "about 40 s left", or "a little longer than usual" once past the estimate. */
export function formatTimeLeft(elapsedMs: number, estimatedTotalMs: number): string {
  const left = estimatedTotalMs - elapsedMs;
  if (left <= 5_000) return 'taking a little longer than usual';
  if (left < 60_000) return `about ${Math.max(5, Math.round(left / 5_000) * 5)} s left`;
  return `about ${Math.round(left / 60_000)} min left`;
}

/**
 * Fraction of the work done, from elapsed time against the estimate. Capped below 100 % until the
 * attempt is done, since estimates are only estimates.
 */
export function progressFraction(view: Pick<ProgressView, 'state' | 'elapsedMs' | 'estimatedTotalMs'>): number {
  if (view.state === 'done') return 1;
  if (view.state === 'queued' || view.state === 'staging') return 0;
  if (view.state === 'delivering') return BAR_CAP_BEFORE_DONE;
  if (!view.estimatedTotalMs || view.estimatedTotalMs <= 0) return 0;
  return Math.min(BAR_CAP_BEFORE_DONE, Math.max(0, view.elapsedMs / view.estimatedTotalMs));
}

/** `▰▰▰▱▱▱▱▱▱▱ 30 %` */
export function renderBar(fraction: number): string {
  const filled = Math.min(BAR_CELLS, Math.floor(fraction * BAR_CELLS + 1e-9));
  return `${'▰'.repeat(filled)}${'▱'.repeat(BAR_CELLS - filled)} ${Math.floor(fraction * 100)} %`;
}

function quotePrompt(prompt: string): string {
  return truncatePrompt(prompt)
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

function headline(view: ProgressView, fmt: TextFormat): string {
  const { emoji, label } = STATE_LABEL[view.state];
  const parts = [`${emoji} ${fmt.bold(label)}`];
  switch (view.state) {
    case 'queued':
      if (view.queuePosition !== undefined) parts.push(`#${view.queuePosition} in line`);
      break;
    case 'done':
      parts.push(`in ${formatDuration(view.elapsedMs)}`);
      break;
    case 'failed':
      parts.push(`after ${formatDuration(view.elapsedMs)}`);
      break;
    case 'cancelled':
      if (view.cancelledBy === 'timeout') parts.push(`after ${formatDuration(view.elapsedMs)}: it took too long`);
      else if (view.cancelledBy === 'thread_deleted') parts.push('because the thread was deleted');
      else if (view.cancelledBy) parts.push(`by ${fmt.mention(view.cancelledBy.userId)}`);
      break;
    default: {
      parts.push(`${formatDuration(view.elapsedMs)} elapsed`);
      if (view.estimatedTotalMs) parts.push(formatTimeLeft(view.elapsedMs, view.estimatedTotalMs));
    }
  }
  return parts.join(' · ');
}

/** The progress message: state, elapsed, time left, bar, the prompt, and which actions it offers. */
export function renderProgressText(view: ProgressView, fmt: TextFormat): string {
  const lines = [headline(view, fmt)];
  const inFlight = view.state !== 'done' && view.state !== 'failed' && view.state !== 'cancelled';
  if (inFlight || view.state === 'done') lines.push(renderBar(progressFraction(view)));
  if (view.state === 'done' && view.videoLinks && view.videoLinks.length > 0) {
    lines.push('The chat did not accept the video, so it is kept here instead:');
    for (const link of view.videoLinks) lines.push(`${link.url}${linkLife(link)}`);
  }
  if (view.state === 'failed' && view.failure) {
    lines.push(`${fmt.bold('Why:')} ${view.failure.reason}`);
    if (view.failure.hint) lines.push(view.failure.hint);
  }
  lines.push(quotePrompt(view.prompt));
  const attempt = view.attempt > 1 ? ` · attempt ${view.attempt}` : '';
  lines.push(
    `${view.duration} s video${byModel(view)} for ${fmt.mention(view.requester.userId)}${attempt}${costNote(view, inFlight)}`,
  );
  if (inFlight) lines.push(fmt.italic(`${fmt.actions.cancel} to cancel.`));
  else if (view.state === 'failed' ? view.failure?.retryable !== false : true) {
    lines.push(fmt.italic(`${fmt.actions.retry} to run it again.`));
  }
  return lines.join('\n');
}

/**
 * The seconds of a result caption's detail line ("8 s each by Veo 3.1 with sound · made in …"), which
 * the extend forms read back as the next part's default length.
 */
export const CAPTION_SECONDS = /^(\d+) s(?: each)?(?: by [^\n·]+)? · /m;

/** " by Veo 3.1 with sound, 9:16": which model, and the sound and shape asked for; empty without a model. */
function byModel(view: ModelTraits): string {
  if (!view.model) return '';
  const shape = view.shape && view.shape !== 'original' ? `, ${view.shape}` : '';
  return ` by ${view.model}${view.sound ? ' with sound' : ''}${shape}`;
}

/** " · ≈ $0.56" while running; on an ended attempt what Oxen charged, when known. */
function costNote(view: ProgressView, inFlight: boolean): string {
  if (!inFlight && view.chargedMicros !== undefined) {
    return view.chargedMicros === 0 ? ' · nothing was charged' : ` · Oxen charged ${formatUsd(view.chargedMicros)}`;
  }
  return view.estimateMicros !== undefined ? ` · ≈ ${formatUsd(view.estimateMicros)}` : '';
}

/** " (it works until 2026-12-13 18:00 UTC)" when the link has an end; nothing for one kept for good. */
function linkLife(link: VideoLink): string {
  return typeof link.expiresAt === 'number' ? ` (it works until ${formatUtcDateTime(link.expiresAt)})` : '';
}

/** The caption of the finished video (or of its link when it fits no upload). */
export function renderResultText(view: ResultView, fmt: TextFormat): string {
  if (view.stitched) return renderStitchedText(view, fmt);
  const what = view.takes
    ? `your ${view.takes} takes are ready`
    : view.loop
      ? 'your loop is ready'
      : 'your video is ready';
  const part = view.part ? ` (part ${view.part})` : '';
  const lines = [`🎬 ${fmt.mention(view.requester.userId)}, ${what}${part}.`, quotePrompt(view.prompt)];
  const attempt = view.attempt > 1 ? ` · attempt ${view.attempt}` : '';
  const cost =
    view.costMicros === undefined ? '' : ` · ${view.costIsEstimate ? '≈ ' : ''}${formatUsd(view.costMicros)}`;
  const loop = view.loop ? ' · loop: it ends where it began' : '';
  lines.push(
    `${view.duration} s${view.takes ? ` each` : ''}${byModel(view)} · made in ${formatDuration(view.tookMs)}${cost}${attempt}${loop}`,
  );
  if (view.link) {
    const why =
      view.link.why === 'refused'
        ? 'This channel did not accept the upload'
        : `The video is ${formatMb(view.link.bytes)}, over this channel's ${formatMb(view.link.limitBytes)} upload limit`;
    lines.push(`${why}, so here it is as a link${linkLife(view.link)}: ${view.link.url}`);
  }
  for (const link of view.links ?? []) {
    const why =
      link.why === 'refused'
        ? 'was not accepted as an upload'
        : `is ${formatMb(link.bytes)}, over the ${formatMb(link.limitBytes)} upload limit`;
    lines.push(`Take ${link.take + 1} ${why}${linkLife(link)}: ${link.url}`);
  }
  lines.push(
    fmt.italic(
      view.takes
        ? `${fmt.actions.retry} for new takes, or ${takeWords(view.takes, fmt)} to extend that take.`
        : `${fmt.actions.retry} for another take, ${midSentence(fmt.actions.extend)} to extend it.`,
    ),
  );
  return lines.join('\n');
}

/**
 * The words for extending one of `takes` takes, their shared start said once: "react 1️⃣, 2️⃣ or 3️⃣",
 * "press Extend 1, 2 or 3".
 */
function takeWords(takes: number, fmt: TextFormat): string {
  const words = TAKE_ACTIONS.slice(0, takes).map((a) => midSentence(fmt.actions[a]));
  const first = words[0] ?? '';
  let shared = first.length;
  for (const w of words) {
    let i = 0;
    while (i < shared && i < w.length && w[i] === first[i]) i++;
    shared = i;
  }
  const cut = first.lastIndexOf(' ', shared - 1) + 1;
  const rest = words.map((w, i) => (i === 0 ? w : w.slice(cut)));
  return rest.length <= 1 ? (rest[0] ?? '') : `${rest.slice(0, -1).join(', ')} or ${rest.at(-1)}`;
}

/** The caption of the stitched video of an extended one: every part so far, end to end. */
function renderStitchedText(view: ResultView, fmt: TextFormat): string {
  const stitched = view.stitched as NonNullable<ResultView['stitched']>;
  const lines = [
    `🧵 ${fmt.mention(view.requester.userId)}, all ${stitched.parts} parts together: ${fmt.bold(`part ${stitched.parts} · ${stitched.totalSeconds} s total`)}.`,
  ];
  if (view.link) {
    const why =
      view.link.why === 'refused'
        ? 'The upload was not accepted'
        : `It is ${formatMb(view.link.bytes)}, over the upload limit`;
    lines.push(`${why}, so here it is as a link${linkLife(view.link)}: ${view.link.url}`);
  }
  lines.push(
    fmt.italic(
      `${fmt.actions.extend} on the latest part to continue, ${midSentence(fmt.actions.retry)} on a part to re-roll it (this video is rebuilt).`,
    ),
  );
  return lines.join('\n');
}

/**
 * Text of any message the bot posts into a thread, with every piece of person-provided text escaped for
 * the platform first, so a prompt such as `@everyone` or `<!channel>` is shown, not acted on.
 */
export function renderMessageText(view: MessageView, fmt: TextFormat): string {
  const escaped = escapePersonText(view, fmt.escape);
  switch (escaped.kind) {
    case 'progress':
      return renderProgressText(escaped.progress, fmt);
    case 'result':
      return renderResultText(escaped.result, fmt);
    case 'notice':
      return escaped.to ? `${fmt.mention(escaped.to)} ${escaped.text}` : escaped.text;
  }
}

/**
 * Applies a platform's escaping to every piece of person-provided text in a view (prompt, names, Oxen's
 * failure reason), so the renderer can insert them as they are. Notices are the bot's own words, escaped
 * whole: a stray `<` or `*` in one must not turn into markup.
 */
function escapePersonText(view: MessageView, escapeText: (text: string) => string): MessageView {
  const user = <T extends { displayName: string }>(u: T): T => ({ ...u, displayName: escapeText(u.displayName) });
  switch (view.kind) {
    case 'notice':
      return { ...view, text: escapeText(view.text) };
    case 'progress': {
      const p = view.progress;
      return {
        kind: 'progress',
        progress: {
          ...p,
          prompt: escapeText(p.prompt),
          requester: user(p.requester),
          ...(p.failure
            ? { failure: { ...p.failure, reason: escapeText(p.failure.reason), hint: escapeText(p.failure.hint) } }
            : {}),
          ...(p.cancelledBy && typeof p.cancelledBy === 'object' ? { cancelledBy: user(p.cancelledBy) } : {}),
        },
      };
    }
    case 'result':
      return {
        kind: 'result',
        result: { ...view.result, prompt: escapeText(view.result.prompt), requester: user(view.result.requester) },
      };
  }
}

/**
 * The money lines of a person's status: their spend today and what each team budget has left. Empty
 * when no price is known and nothing was charged (then seconds are the only currency shown).
 */
export function spendLines(status: UserStatus): string[] {
  const lines: string[] = [];
  const perModel = status.modelPrices ?? [];
  if (status.pricePerSecondMicros !== null || status.spentTodayMicros > 0) {
    const price =
      status.pricePerSecondMicros === null || perModel.length > 0
        ? ''
        : ` (${formatUsd(status.pricePerSecondMicros)} per second of video)`;
    lines.push(`Your spend today: ${formatUsd(status.spentTodayMicros)}${price}.`);
  }
  if (perModel.length > 0) {
    const each = perModel.map(
      (m) =>
        `${m.name} ${formatUsd(m.perSecondMicros)}${m.withSoundMicros === undefined ? '' : ` (${formatUsd(m.withSoundMicros)} with sound)`}`,
    );
    lines.push(`Price per second of video: ${each.join(' · ')}.`);
  }
  for (const b of status.teamBudgets) {
    const left = Math.max(0, b.limitMicros - b.spentMicros);
    const resets = b.period === 'day' ? formatUtcTime(b.resetsAt) : b.resetsAt.toISOString().slice(0, 10);
    lines.push(
      `Team ${b.period === 'day' ? 'daily' : 'monthly'} budget: ${formatUsd(left)} of ${formatUsd(b.limitMicros)} left (resets ${resets}).`,
    );
  }
  return lines;
}

/** The admin spend report: per period, the total and each person's share, most first. */
export function renderSpendReport(report: SpendReport, fmt: TextFormat, platform: string): string {
  const lines: string[] = [];
  for (const period of report.periods) {
    lines.push(`${fmt.bold(`Last ${period.days} days`)}: ${formatUsd(period.totalMicros)}`);
    if (period.byPerson.length === 0) lines.push('Nothing charged.');
    for (const row of period.byPerson.slice(0, 20)) {
      const [rowPlatform = '', userId = ''] = row.userKey.split(':');
      const who = rowPlatform === platform ? fmt.mention(userId) : row.userKey;
      lines.push(`• ${who}: ${formatUsd(row.micros)}`);
    }
    if (period.byPerson.length > 20) lines.push(`…and ${period.byPerson.length - 20} more.`);
  }
  return lines.join('\n');
}

/**
 * `/animations`, `/animate status`: the person's generations in flight (with where they are), what is
 * left of their daily quota, and their spend.
 */
export function renderStatus(status: UserStatus, fmt: TextFormat): string {
  const left = Math.max(0, status.dailyLimitSeconds - status.usedSecondsToday);
  const lines = [
    status.active.length === 0
      ? 'You have no animations in progress.'
      : `${fmt.bold('Your animations')}: ${status.active.length} of ${status.maxActive} running`,
  ];
  for (const g of status.active) {
    const queue = g.state === 'queued' && g.queuePosition ? `, #${g.queuePosition} in line` : '';
    const attempt = g.attempt > 1 ? `, attempt ${g.attempt}` : '';
    const place = fmt.place(g.where);
    const variant = `${g.takes && g.takes > 1 ? `, ${g.takes} takes` : ''}${g.part ? `, part ${g.part} of a chain` : ''}`;
    lines.push(
      `• ${fmt.italic(fmt.escape(promptPreview(g.prompt, 80)))} (${g.duration} s${byModel(g)}${variant}): ${STATE_LABEL[g.state].label.toLowerCase()}${queue}, ${formatDuration(g.elapsedMs)} so far${attempt}${place ? `, in ${place}` : ''}`,
    );
  }
  lines.push(
    `Today: ${status.usedSecondsToday} s of ${status.dailyLimitSeconds} s of video used, ${left} s left (resets at ${formatUtcTime(status.resetsAt)}).`,
  );
  lines.push(...spendLines(status));
  return lines.join('\n');
}

/** Refusals as the person reads them: what was wrong and what to do, one line each. */
export function renderRefusals(refusals: readonly Refusal[], fmt: TextFormat): string {
  return refusals.map((r) => `⚠️ ${fmt.escape(r.message)}`).join('\n');
}

/** The public message a request's thread hangs on: who is animating what, for how long. */
export function renderAnnouncement(
  requester: string,
  prompt: string,
  duration: Duration,
  fmt: TextFormat,
  options: { inThread?: boolean } = {},
): string {
  const follows = options.inThread ? '. Progress follows in this thread.' : '';
  return `🎬 ${fmt.mention(requester)} is animating (${duration} s): ${fmt.italic(fmt.escape(promptPreview(prompt, 200)))}${follows}`;
}

/**
 * What the announcement becomes when its request never started (a refusal only the reservation could
 * find, or the queue failing): the channel should not keep saying "is animating".
 */
export function renderNotStarted(requester: string, problem: Refusal, fmt: TextFormat): string {
  return `⚠️ Could not start ${fmt.mention(requester)}'s animation: ${fmt.escape(problem.message)}`;
}
