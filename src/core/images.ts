import { z } from 'zod';
import { ImageMimeSchema } from './input-rules.js';

/** What is stored next to a checked image's bytes while it waits to be staged. */
export const CheckedImageMetaSchema = z.object({
  mime: ImageMimeSchema,
  /** File extension matching `mime` (`png`, `jpg`, `gif`, `webp`). */
  ext: z.string(),
  width: z.number(),
  height: z.number(),
});

/** An image whose bytes were downloaded, sniffed and measured, and that passed every rule. */
export type CheckedImage = z.infer<typeof CheckedImageMetaSchema> & { bytes: Uint8Array };

/**
 * Where an input image came from on its platform, kept with the request so that a 🔁 after the
 * retention could fetch it again instead of refusing (README.md, "Where input images are kept"). Slack
 * files are read again with `files.info`; a Discord message attachment through its message (attachment
 * URLs expire), a Telegram file by its `file_id`. A Discord slash-command upload belongs to no message and
 * cannot be fetched again.
 */
export const ImageSourceSchema = z.discriminatedUnion('platform', [
  z.object({ platform: z.literal('slack'), fileId: z.string() }),
  z.object({ platform: z.literal('discord'), channelId: z.string(), messageId: z.string(), attachmentId: z.string() }),
  // A Telegram file id stays valid for the bot for good; getFile gives a fresh download link for it.
  z.object({ platform: z.literal('telegram'), fileId: z.string() }),
]);
export type ImageSource = z.infer<typeof ImageSourceSchema>;

/** The bot's copy of a checked image in the ImageStore, kept while Oxen or a 🔁 may need it. */
export const StagedImageSchema = z.object({
  /**
   * Where the copy is. Oxen and http stores: the public URL Oxen downloads. s3: the object's address
   * without a signature (not readable as such; Oxen gets a presigned link, `ImageStore.linkFor`).
   */
  url: z.string(),
  mime: ImageMimeSchema,
  width: z.number(),
  height: z.number(),
  bytes: z.number(),
  /**
   * The store's own name for the copy (`oxen:…`, `http:…`, `s3:…`), which `ImageStore.remove` deletes.
   * Absent on copies staged before the stores tracked them.
   */
  ref: z.string().optional(),
});
export type StagedImage = z.infer<typeof StagedImageSchema>;
