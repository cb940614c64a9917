import { z } from 'zod';
import type { CheckedImage } from '../core/images.js';
import type { VisionCheckPort } from '../core/ports/vision.js';
import { type OxenClientConfig, oxenHttpFrom } from './client.js';
import { oxenRequest, parseOk } from './http.js';

/** The part of the OpenAI-style chat answer the check reads. */
const ChatAnswerSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});

/** What the model is told: answer one word, so the verdict is read without guessing. */
const INSTRUCTION = [
  'You screen requests to an image-to-video generator for a workplace chat.',
  'Answer BLOCK if the image or the prompt is sexual, graphically violent, hateful, or shows a real person',
  'in a degrading way; otherwise answer ALLOW. Answer with the one word only.',
  'Prompt:',
].join(' ');

/** What {@link createOxenVisionCheck} needs beyond the Oxen client's settings. */
export interface OxenVisionConfig extends OxenClientConfig {
  /** A vision model Oxen serves on its chat endpoint (VISION_MODEL). */
  model: string;
  /** VISION_CHECK_COST_USD in micro-dollars. */
  costMicros: number;
}

/**
 * The content check on Oxen's chat endpoint (`POST /api/ai/chat/completions`, the image as an
 * `image_url` content part holding a data URL, docs/oxen-api.md): one call per check, retried like any
 * safe Oxen call. A verdict that is neither word counts as BLOCK: an answer the bot cannot read does not
 * let a request through the check an admin turned on.
 */
export function createOxenVisionCheck(config: OxenVisionConfig): VisionCheckPort {
  const http = oxenHttpFrom(config);
  return {
    model: config.model,
    costMicros: config.costMicros,
    async check(prompt: string, image: CheckedImage, signal?: AbortSignal) {
      const dataUrl = `data:${image.mime};base64,${Buffer.from(image.bytes).toString('base64')}`;
      const res = await oxenRequest(http, {
        method: 'POST',
        path: '/api/ai/chat/completions',
        json: {
          model: config.model,
          max_tokens: 5,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: `${INSTRUCTION} ${prompt}` },
                { type: 'image_url', image_url: { url: dataUrl } },
              ],
            },
          ],
        },
        retry: true,
        signal,
      });
      const answer = parseOk(ChatAnswerSchema, res, 'chat').choices[0]?.message.content ?? '';
      return /^\W*allow\b/i.test(answer.trim()) ? 'allow' : 'block';
    },
  };
}
