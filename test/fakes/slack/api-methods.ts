import { fileObject } from './payloads.js';
import type { FakeFile, FakeMessage, SlackFakeState } from './state.js';

/** What a Web API method handler knows about the call. */
export interface ApiContext {
  state: SlackFakeState;
  ids: { botToken: string; botUserId: string; botId: string; teamId: string };
  base: string;
  authorised: boolean;
}

type Params = Record<string, string>;
type Answer = Record<string, unknown> & { ok: boolean };

const fail = (error: string): Answer => ({ ok: false, error });

/**
 * Answers one Web API call the way Slack does: HTTP 200 with `{ok:false, error}` for every platform
 * error. @see docs/platforms.md#slack-web-api
 */
export function handleApiCall(method: string, p: Params, ctx: ApiContext): Answer {
  if (!ctx.authorised) return fail('invalid_auth');
  const injected = ctx.state.failNext.get(method);
  if (injected) {
    ctx.state.failNext.delete(method);
    return fail(injected);
  }
  const handler = METHODS[method];
  return handler ? handler(p, ctx) : fail('unknown_method');
}

/** A DM to a user id (`U…`) is allowed like Slack's app DM; other channels must exist. */
function channelProblem(channel: string | undefined, ctx: ApiContext): string | null {
  if (!channel) return 'channel_not_found';
  if (/^[UD]/.test(channel)) return null;
  if (!ctx.state.channels.has(channel)) return 'channel_not_found';
  if (ctx.state.archived.has(channel)) return 'is_archived';
  return null;
}

function wire(m: FakeMessage, withMetadata: boolean): Record<string, unknown> {
  return {
    type: 'message',
    ts: m.ts,
    user: m.user,
    text: m.text,
    ...(m.botId ? { bot_id: m.botId } : {}),
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    ...(m.files.length > 0 ? { files: m.files.map(fileWire) } : {}),
    ...(m.reactions.size > 0
      ? { reactions: [...m.reactions].map(([name, users]) => ({ name, users: [...users], count: users.size })) }
      : {}),
  };
}

function fileWire(f: FakeFile): Record<string, unknown> {
  const { bytes: _bytes, access: _access, ...rest } = f;
  return rest;
}

const json = <T>(raw: string | undefined): T | undefined => (raw ? (JSON.parse(raw) as T) : undefined);

const METHODS: Record<string, (p: Params, ctx: ApiContext) => Answer> = {
  // https://api.slack.com/methods/usergroups.users.list: an unknown group is `no_such_subteam`.
  'usergroups.users.list': (p, { state }) => {
    const users = p.usergroup ? state.userGroups.get(p.usergroup) : undefined;
    return users ? { ok: true, users } : fail('no_such_subteam');
  },
  'auth.test': (_p, { ids, base }) => ({
    ok: true,
    url: `${base}/`,
    team: 'fake',
    user: 'animbot',
    team_id: ids.teamId,
    user_id: ids.botUserId,
    bot_id: ids.botId,
  }),

  'chat.postMessage': (p, ctx) => {
    const problem = channelProblem(p.channel, ctx);
    if (problem) return fail(problem);
    if (!p.text && !p.blocks) return fail('no_text');
    // Stricter than Slack (which may start a new message for an unknown thread_ts): a reply to a parent
    // that does not exist is always a bug in the bot, so the fake refuses it loudly.
    if (p.thread_ts && !ctx.state.find(p.channel ?? '', p.thread_ts)) return fail('thread_not_found');
    const metadata = json<FakeMessage['metadata']>(p.metadata);
    const m = ctx.state.add({
      channel: p.channel ?? '',
      user: ctx.ids.botUserId,
      botId: ctx.ids.botId,
      text: p.text ?? '',
      ...(p.thread_ts ? { threadTs: p.thread_ts } : {}),
      ...(p.blocks ? { blocks: json<unknown[]>(p.blocks) ?? [] } : {}),
      ...(metadata ? { metadata } : {}),
    });
    return { ok: true, channel: m.channel, ts: m.ts, message: wire(m, true) };
  },

  'chat.update': (p, ctx) => {
    const m = ctx.state.find(p.channel ?? '', p.ts ?? '');
    if (!m) return fail('message_not_found');
    if (m.user !== ctx.ids.botUserId) return fail('cant_update_message');
    if (ctx.state.archived.has(m.channel)) return fail('is_archived');
    m.text = p.text ?? m.text;
    if (p.blocks) m.blocks = json<unknown[]>(p.blocks) ?? [];
    m.edits += 1;
    return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
  },

  'chat.postEphemeral': (p, ctx) => {
    const problem = channelProblem(p.channel, ctx);
    if (problem) return fail(problem);
    if (!p.user) return fail('user_not_in_channel');
    ctx.state.ephemerals.push({
      channel: p.channel ?? '',
      user: p.user,
      text: p.text ?? '',
      ...(p.thread_ts ? { threadTs: p.thread_ts } : {}),
    });
    return { ok: true, message_ts: ctx.state.nextTs() };
  },

  'conversations.replies': (p, ctx) => {
    const problem = channelProblem(p.channel, ctx);
    if (problem && problem !== 'is_archived') return fail(problem);
    const thread = ctx.state.thread(p.channel ?? '', p.ts ?? '');
    if (thread.length === 0) return fail('thread_not_found');
    const withMetadata = p.include_all_metadata === 'true';
    return { ok: true, messages: thread.map((m) => wire(m, withMetadata)), has_more: false };
  },

  'views.open': (p, ctx) => {
    if (!p.trigger_id) return fail('invalid_trigger_id');
    const view = json<Record<string, unknown>>(p.view);
    if (view?.type !== 'modal') return fail('invalid_arguments');
    const id = ctx.state.nextId('V');
    ctx.state.views.push({ id, triggerId: p.trigger_id, view });
    return { ok: true, view: { ...view, id, team_id: ctx.ids.teamId, state: { values: {} }, hash: `h-${id}` } };
  },

  'reactions.add': (p, ctx) => {
    const m = ctx.state.find(p.channel ?? '', p.timestamp ?? '');
    if (!m) return fail('message_not_found');
    const name = p.name ?? '';
    const users = m.reactions.get(name) ?? new Set<string>();
    if (users.has(ctx.ids.botUserId)) return fail('already_reacted');
    users.add(ctx.ids.botUserId);
    m.reactions.set(name, users);
    return { ok: true };
  },

  // A file people shared, by its id: its current private URLs (a deleted one is file_not_found).
  'files.info': (p, ctx) => {
    const file = ctx.state.files.get(p.file ?? '');
    return file ? { ok: true, file: fileObject(file) } : fail('file_not_found');
  },

  'files.getUploadURLExternal': (p, ctx) => {
    const length = Number(p.length);
    if (!p.filename || !Number.isInteger(length) || length <= 0) return fail('invalid_arguments');
    const id = ctx.state.nextId('F');
    ctx.state.pendingUploads.set(id, { filename: p.filename, length });
    return { ok: true, upload_url: `${ctx.base}/upload/v1/${id}`, file_id: id };
  },

  'files.completeUploadExternal': (p, ctx) => {
    const list = json<Array<{ id: string; title?: string }>>(p.files) ?? [];
    const channel = p.channel_id;
    if (channel) {
      const problem = channelProblem(channel, ctx);
      if (problem) return fail(problem);
    }
    const done: FakeFile[] = [];
    for (const item of list) {
      const pending = ctx.state.pendingUploads.get(item.id);
      // Slack refuses to complete a file whose bytes never arrived or whose length differs.
      if (!pending?.bytes || pending.bytes.length !== pending.length) return fail('file_not_found');
      const file: FakeFile = {
        id: item.id,
        name: pending.filename,
        title: item.title ?? pending.filename,
        mimetype: pending.filename.endsWith('.mp4') ? 'video/mp4' : 'application/octet-stream',
        filetype: pending.filename.split('.').pop() ?? 'bin',
        size: pending.bytes.length,
        user: ctx.ids.botUserId,
        bytes: pending.bytes,
        access: 'ok',
        url_private: `${ctx.base}/files-pri/T0001-${item.id}/${pending.filename}`,
        url_private_download: `${ctx.base}/files-pri/T0001-${item.id}/download/${pending.filename}`,
      };
      ctx.state.files.set(file.id, file);
      ctx.state.pendingUploads.delete(item.id);
      done.push(file);
    }
    // Sharing posts a message carrying the files, with initial_comment as its text (no ts is returned).
    if (channel) {
      ctx.state.add({
        channel,
        user: ctx.ids.botUserId,
        botId: ctx.ids.botId,
        text: p.initial_comment ?? '',
        files: done,
        ...(p.thread_ts ? { threadTs: p.thread_ts } : {}),
      });
    }
    return { ok: true, files: done.map(fileWire) };
  },
};
