import type { FakeFile } from './state.js';

/**
 * Builders for what Slack sends to the app, in the shapes of docs/platforms.md#slack-commands-modal-and-events (the
 * verified captures). Each returns the wire object; the signed-request helpers send it.
 */

const TEAM = { id: 'T0001', domain: 'fake' };

/** Form fields of `/animate <text>`. */
export function slashCommand(input: {
  text: string;
  user?: string;
  userName?: string;
  channel?: string;
  responseUrl: string;
  triggerId?: string;
}): Record<string, string> {
  return {
    token: 'verification-token',
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: input.channel ?? 'C0001',
    channel_name: 'general',
    user_id: input.user ?? 'U0001',
    user_name: input.userName ?? 'alice',
    command: '/animate',
    text: input.text,
    api_app_id: 'A0001',
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId ?? `trig-${Math.random().toString(36).slice(2)}`,
  };
}

/** The file object as a `file_input` or a message carries it. */
export function fileObject(f: FakeFile): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    title: f.title,
    mimetype: f.mimetype,
    filetype: f.filetype,
    size: f.size,
    user: f.user,
    url_private: f.url_private,
    url_private_download: f.url_private_download,
  };
}

/** A `view_submission` of the modal the bot opened, with the person's entries filled in. */
/** The value a select block starts on, as a person who leaves it alone submits it. */
function initialOf(blocks: Array<{ block_id?: string }>, id: string): string {
  const block = blocks.find((b) => b.block_id === id) as { element?: { initial_option?: { value?: string } } };
  return block?.element?.initial_option?.value ?? '';
}

/** Whether a checkbox block was prefilled ticked (`initial_options`). */
function initiallyTicked(blocks: Array<{ block_id?: string }>, id: string): boolean {
  const block = blocks.find((b) => b.block_id === id) as { element?: { initial_options?: unknown[] } };
  return (block?.element?.initial_options?.length ?? 0) > 0;
}

export function viewSubmission(input: {
  view: { id: string; view: Record<string, unknown> };
  user?: string;
  userName?: string;
  values: {
    image?: FakeFile[];
    endImage?: FakeFile[];
    prompt?: string | null;
    duration?: string | null;
    loop?: boolean;
    takes?: string;
    /** A remix of kept images: the "keep its end image" box. */
    keepEndImage?: boolean;
    /** A model id; absent leaves the select on its initial option (the default model). */
    model?: string;
    sound?: boolean;
    shape?: string;
  };
}): Record<string, unknown> {
  const values: Record<string, Record<string, unknown>> = {};
  const blocks = (input.view.view.blocks as Array<{ block_id?: string }> | undefined) ?? [];
  const has = (id: string) => blocks.some((b) => b.block_id === id);
  if (has('image')) values.image = { file: { type: 'file_input', files: (input.values.image ?? []).map(fileObject) } };
  if (has('end_image')) {
    values.end_image = { file: { type: 'file_input', files: (input.values.endImage ?? []).map(fileObject) } };
  }
  values.prompt = { value: { type: 'plain_text_input', value: input.values.prompt ?? null } };
  const d = input.values.duration;
  values.duration = {
    value: {
      type: 'static_select',
      selected_option: d ? { text: { type: 'plain_text', text: `${d} s` }, value: d } : null,
    },
  };
  if (has('loop')) {
    values.loop = {
      value: {
        type: 'checkboxes',
        selected_options: input.values.loop ? [{ value: 'loop', text: { type: 'plain_text', text: 'Loop' } }] : [],
      },
    };
  }
  if (has('keep_end_image')) {
    values.keep_end_image = {
      value: {
        type: 'checkboxes',
        selected_options: input.values.keepEndImage
          ? [{ value: 'keep_end', text: { type: 'plain_text', text: 'Keep' } }]
          : [],
      },
    };
  }
  const select = (value: string) => ({
    value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } },
  });
  if (has('model')) values.model = select(input.values.model ?? initialOf(blocks, 'model'));
  if (has('shape')) values.shape = select(input.values.shape ?? initialOf(blocks, 'shape'));
  if (has('sound')) {
    // Untouched, the box keeps what the form was prefilled with.
    const sound = input.values.sound ?? initiallyTicked(blocks, 'sound');
    values.sound = {
      value: {
        type: 'checkboxes',
        selected_options: sound ? [{ value: 'sound', text: { type: 'plain_text', text: 'Sound' } }] : [],
      },
    };
  }
  if (has('takes')) {
    const t = input.values.takes ?? '1';
    values.takes = {
      value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: t }, value: t } },
    };
  }
  return {
    type: 'view_submission',
    team: TEAM,
    user: {
      id: input.user ?? 'U0001',
      username: input.userName ?? 'alice',
      name: input.userName ?? 'alice',
      team_id: TEAM.id,
    },
    api_app_id: 'A0001',
    token: 'verification-token',
    trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
    view: {
      ...input.view.view,
      id: input.view.id,
      team_id: TEAM.id,
      app_id: 'A0001',
      bot_id: 'B0BOT',
      hash: `h-${input.view.id}`,
      state: { values },
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** A message shortcut (`message_action`) on a message. */
export function messageShortcut(input: {
  channel: string;
  messageTs: string;
  threadTs?: string;
  user?: string;
  text?: string;
  files?: FakeFile[];
  responseUrl: string;
  /** @defaultValue 'animate_message' */
  callbackId?: string;
  /** Who wrote the message (the bot's own for "Extend this video"). @defaultValue the shortcut's user */
  messageUser?: string;
}): Record<string, unknown> {
  return {
    type: 'message_action',
    token: 'verification-token',
    action_ts: `${Math.floor(Date.now() / 1000)}.000100`,
    team: TEAM,
    user: { id: input.user ?? 'U0001', name: 'alice', username: 'alice', team_id: TEAM.id },
    channel: { id: input.channel, name: 'general' },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: input.callbackId ?? 'animate_message',
    trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
    response_url: input.responseUrl,
    message_ts: input.messageTs,
    message: {
      type: 'message',
      user: input.messageUser ?? input.user ?? 'U0001',
      ts: input.messageTs,
      text: input.text ?? '',
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
      ...(input.files ? { files: input.files.map(fileObject) } : {}),
    },
  };
}

/** An Events API envelope around `event`. */
export function eventCallback(event: Record<string, unknown>, eventId: string): Record<string, unknown> {
  return {
    token: 'verification-token',
    team_id: TEAM.id,
    api_app_id: 'A0001',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: TEAM.id, user_id: 'U0BOT', is_bot: true, is_enterprise_install: false },
    ],
    event,
  };
}

/** `app_mention` for a message a person posted (with files, as Bolt delivers them). */
export function appMention(input: {
  channel: string;
  ts: string;
  threadTs?: string;
  user?: string;
  text: string;
  files?: FakeFile[];
}): Record<string, unknown> {
  return {
    type: 'app_mention',
    user: input.user ?? 'U0001',
    text: input.text,
    ts: input.ts,
    channel: input.channel,
    event_ts: input.ts,
    ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    ...(input.files ? { files: input.files.map(fileObject) } : {}),
  };
}

/** `reaction_added` on a message. */
export function reactionAdded(input: {
  channel: string;
  ts: string;
  user: string;
  reaction: string;
  itemUser?: string;
}): Record<string, unknown> {
  return {
    type: 'reaction_added',
    user: input.user,
    reaction: input.reaction,
    item_user: input.itemUser ?? 'U0BOT',
    item: { type: 'message', channel: input.channel, ts: input.ts },
    event_ts: `${Math.floor(Date.now() / 1000)}.000200`,
  };
}
