import { z } from 'zod';
import { err, ok, type Result } from '../../shared/result.js';
import {
  BLOCK,
  hasImageFields,
  KEEP_END_VALUE,
  LOOP_VALUE,
  type ModalMetadata,
  ModalMetadataSchema,
  type SlackFileRef,
  SOUND_VALUE,
} from './modal.js';

/** A file in a `file_input` value or a message. Only the fields the bot uses; Slack sends many more. */
export const SlackFileSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  mimetype: z.string().nullish(),
  url_private: z.string().nullish(),
  url_private_download: z.string().nullish(),
});
export type SlackFile = z.infer<typeof SlackFileSchema>;

const ElementStateSchema = z.looseObject({
  type: z.string(),
  value: z.string().nullish(),
  files: z.array(SlackFileSchema).nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_options: z.array(z.object({ value: z.string() })).nullish(),
});

const ViewSchema = z.looseObject({
  id: z.string().min(1),
  private_metadata: z.string(),
  state: z.object({ values: z.record(z.string(), z.record(z.string(), ElementStateSchema)) }),
});

/** The modal's entries, parsed but not yet checked against the input rules. */
export interface ModalEntries {
  viewId: string;
  metadata: ModalMetadata;
  /** Whether the modal had image fields (false for the shortcut modal). */
  withImages: boolean;
  prompt: string | null;
  duration: string | null;
  startImage: SlackFileRef | null;
  endImage: SlackFileRef | null;
  loop: boolean;
  takes: string | null;
  /** A remix of kept images: whether the "keep its end image" box is ticked. */
  keepEndImage: boolean;
  model: string | null;
  sound: boolean;
  shape: string | null;
}

/** Turns a Slack file into what the bot downloads (`url_private_download`, else `url_private`). */
export function fileRef(file: SlackFile): SlackFileRef | null {
  const url = file.url_private_download ?? file.url_private;
  return url ? { url, name: file.name ?? file.id, id: file.id } : null;
}

/**
 * Reads a `view_submission` of the animate modal: `state.values[block_id][action_id]`, select values as
 * strings, files in `.files`, the channel in `private_metadata`.
 * @see docs/platforms.md#slack-commands-modal-and-events
 */
export function readModalEntries(view: unknown): Result<ModalEntries, string> {
  const parsed = ViewSchema.safeParse(view);
  if (!parsed.success) return err(`unexpected view shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  let metaRaw: unknown;
  try {
    metaRaw = JSON.parse(parsed.data.private_metadata);
  } catch {
    return err('private_metadata is not JSON');
  }
  const metadata = ModalMetadataSchema.safeParse(metaRaw);
  if (!metadata.success) return err('private_metadata has an unexpected shape');
  const values = parsed.data.state.values;
  const first = (block: string) => {
    const entries = Object.values(values[block] ?? {});
    return entries[0];
  };
  const fileOf = (block: string) => {
    const f = first(block)?.files?.[0];
    return f ? fileRef(f) : null;
  };
  const withImages = hasImageFields(metadata.data);
  const images = metadata.data.images ?? [];
  return ok({
    viewId: parsed.data.id,
    metadata: metadata.data,
    withImages,
    prompt: first(BLOCK.prompt)?.value ?? null,
    duration: first(BLOCK.duration)?.selected_option?.value ?? first(BLOCK.duration)?.value ?? null,
    startImage: withImages ? fileOf(BLOCK.image) : (images[0] ?? null),
    endImage: withImages ? fileOf(BLOCK.endImage) : (images[1] ?? null),
    loop: (first(BLOCK.loop)?.selected_options ?? []).some((o) => o.value === LOOP_VALUE),
    takes: first(BLOCK.takes)?.selected_option?.value ?? null,
    keepEndImage: (first(BLOCK.keepEndImage)?.selected_options ?? []).some((o) => o.value === KEEP_END_VALUE),
    model: first(BLOCK.model)?.selected_option?.value ?? null,
    sound: (first(BLOCK.sound)?.selected_options ?? []).some((o) => o.value === SOUND_VALUE),
    shape: first(BLOCK.shape)?.selected_option?.value ?? null,
  });
}

/** Image files of a message, in order (by declared type; the bytes are checked on download). */
export function imageFilesOf(files: readonly SlackFile[] | null | undefined): SlackFileRef[] {
  const out: SlackFileRef[] = [];
  for (const f of files ?? []) {
    if (f.mimetype && !f.mimetype.startsWith('image/')) continue;
    const ref = fileRef(f);
    if (ref) out.push(ref);
  }
  return out;
}
