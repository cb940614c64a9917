import { describe, expect, it } from 'vitest';
import { BLOCK, blockFor, buildAnimateModal } from '../../../../src/adapters/slack/modal.js';
import { imageFilesOf, readModalEntries } from '../../../../src/adapters/slack/submission.js';
import { familyCatalogue } from '../../../../src/core/family-catalogue.js';
import { modelChoices } from '../../../../src/core/model-choices.js';

const models = modelChoices(familyCatalogue());

function submitted(view: ReturnType<typeof buildAnimateModal>, values: Record<string, Record<string, unknown>>) {
  return { ...view, id: 'V0001', state: { values } };
}

describe('buildAnimateModal', () => {
  it('GIVEN the command text THEN the prompt is prefilled and the channel kept in private_metadata', () => {
    const view = buildAnimateModal({ prompt: ' a cat surfing ', metadata: { channel: 'C0001' }, models });
    const blocks = view.blocks as Array<{ block_id?: string; element?: Record<string, unknown>; optional?: boolean }>;
    expect(blocks.map((b) => b.block_id)).toEqual([
      BLOCK.image,
      BLOCK.endImage,
      BLOCK.prompt,
      BLOCK.model,
      BLOCK.duration,
      BLOCK.sound,
      BLOCK.shape,
      BLOCK.loop,
      BLOCK.takes,
    ]);
    expect(blocks[0]?.element).toMatchObject({ type: 'file_input', max_files: 1 });
    expect(blocks[1]?.optional).toBe(true);
    expect(blocks[2]?.element?.initial_value).toBe('a cat surfing');
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ channel: 'C0001' });
  });

  it('GIVEN a remixed video’s or a channel’s options THEN the form opens on their model, length, sound and shape; a length no model takes falls back to the chosen model’s default', () => {
    const two = modelChoices(familyCatalogue(['kling-video-o1-image-to-video', 'kling-video-o3-omni']));
    const initial = { model: 'kling-video-o3-omni', duration: 7, sound: true, shape: '9:16' as const };
    const view = buildAnimateModal({ prompt: 'x', metadata: { channel: 'C0001' }, models: two, initial });
    type Element = {
      initial_option?: { value: string };
      initial_options?: Array<{ value: string }>;
    };
    const element = (id: string) =>
      (view.blocks as Array<{ block_id?: string; element?: Element }>).find((b) => b.block_id === id)?.element;
    expect(element(BLOCK.model)?.initial_option?.value).toBe('kling-video-o3-omni');
    expect(element(BLOCK.duration)?.initial_option?.value).toBe('7');
    expect(element(BLOCK.sound)?.initial_options?.map((o) => o.value)).toEqual(['sound']);
    expect(element(BLOCK.shape)?.initial_option?.value).toBe('9:16');

    const unfit = buildAnimateModal({
      prompt: 'x',
      metadata: { channel: 'C0001' },
      models,
      initial: { model: 'kling-video-o1-image-to-video', duration: 70 },
    });
    const duration = (unfit.blocks as Array<{ block_id?: string; element?: Element }>).find(
      (b) => b.block_id === BLOCK.duration,
    );
    expect(duration?.element?.initial_option?.value).toBe('5');
  });

  it('GIVEN images from a message THEN the modal has no image fields', () => {
    const view = buildAnimateModal({
      prompt: '',
      metadata: {
        channel: 'C0001',
        threadTs: '1.2',
        images: [{ url: 'https://files.slack.com/x.png', name: 'x.png' }],
      },
      models,
    });
    const ids = (view.blocks as Array<{ block_id?: string }>).map((b) => b.block_id).filter(Boolean);
    expect(ids).toEqual([BLOCK.prompt, BLOCK.model, BLOCK.duration, BLOCK.sound, BLOCK.shape, BLOCK.loop, BLOCK.takes]);
  });
});

describe('readModalEntries', () => {
  it('GIVEN a submission THEN prompt, duration string and the file URL are read', () => {
    const view = buildAnimateModal({ prompt: '', metadata: { channel: 'C0001' }, models });
    const r = readModalEntries(
      submitted(view, {
        image: {
          file: { type: 'file_input', files: [{ id: 'F1', name: 'a.png', url_private_download: 'https://f/a' }] },
        },
        end_image: { file: { type: 'file_input', files: [] } },
        prompt: { value: { type: 'plain_text_input', value: 'waves' } },
        duration: { value: { type: 'static_select', selected_option: { value: '10' } } },
      }),
    );
    expect(r.ok && r.value).toMatchObject({
      viewId: 'V0001',
      withImages: true,
      prompt: 'waves',
      duration: '10',
      startImage: { url: 'https://f/a', name: 'a.png' },
      endImage: null,
    });
  });

  it('GIVEN private_metadata that is not ours THEN a parse error, not a crash', () => {
    const view = {
      ...buildAnimateModal({ prompt: '', metadata: { channel: 'C0001' }, models }),
      private_metadata: '{"x":1}',
    };
    expect(readModalEntries(submitted(view, {})).ok).toBe(false);
  });
});

describe('blockFor', () => {
  it('GIVEN an image refusal in the shortcut modal THEN it shows on the prompt block', () => {
    expect(blockFor('image', false)).toBe(BLOCK.prompt);
    expect(blockFor('end_image', true)).toBe(BLOCK.endImage);
    expect(blockFor(undefined, true)).toBe(BLOCK.duration);
  });
});

describe('imageFilesOf', () => {
  it('GIVEN a PDF and two images THEN the images, in order', () => {
    const files = [
      { id: 'F1', mimetype: 'application/pdf', url_private: 'https://f/1' },
      { id: 'F2', name: 'b.png', mimetype: 'image/png', url_private_download: 'https://f/2' },
      { id: 'F3', name: 'c.jpg', mimetype: 'image/jpeg', url_private: 'https://f/3' },
    ];
    expect(imageFilesOf(files)).toEqual([
      { url: 'https://f/2', name: 'b.png', id: 'F2' },
      { url: 'https://f/3', name: 'c.jpg', id: 'F3' },
    ]);
  });
});
