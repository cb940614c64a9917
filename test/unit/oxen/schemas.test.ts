import { describe, expect, it } from 'vitest';
import {
  CompletionEventSchema,
  ModelInfoSchema,
  RowSchema,
  toCompletionEvent,
  toGenerationRow,
  toModelInfo,
} from '../../../src/oxen/schemas.js';

describe('Oxen schemas (tolerant parsing)', () => {
  it('GIVEN a full succeeded row with echoed inputs THEN it normalises model_name and keeps the result', () => {
    const row = toGenerationRow(
      RowSchema.parse({
        generation_id: '7cf9',
        model_name: 'kling-video-o1-image-to-video',
        prompt: '…',
        media_type: 'video',
        status: 'succeeded',
        result_url: 'https://hub.oxen.ai/api/repos/x.mp4',
        error_message: null,
        enqueued_at: 1775091431,
        started_at: 1775091432,
        completed_at: 1775091590,
        duration: 5,
        input_image: 'https://…/start.png',
      }),
    );
    expect(row).toEqual({
      generationId: '7cf9',
      model: 'kling-video-o1-image-to-video',
      status: 'succeeded',
      enqueuedAt: 1775091431,
      startedAt: 1775091432,
      completedAt: 1775091590,
      resultUrl: 'https://hub.oxen.ai/api/repos/x.mp4',
      reason: null,
      inputImage: 'https://…/start.png',
      prompt: '…',
      cost: null,
    });
  });

  it('GIVEN a history row with its cost THEN the cost is kept as the decimal string Oxen sent', () => {
    const row = toGenerationRow(
      RowSchema.parse({ generation_id: 'b', model_name: 'm', status: 'succeeded', enqueued_at: 1, cost: '0.5600' }),
    );
    expect(row.cost).toBe('0.5600');
  });

  it('GIVEN only the required fields and a status Oxen added later THEN it parses as unknown', () => {
    const row = toGenerationRow(
      RowSchema.parse({ generation_id: 'a', model_name: 'm', media_type: 'video', status: 'paused', enqueued_at: 1 }),
    );
    expect(row.status).toBe('unknown');
    expect(row.resultUrl).toBeNull();
    expect(row.reason).toBeNull();
  });

  it('GIVEN a failed row THEN error_message becomes the reason', () => {
    const row = toGenerationRow(
      RowSchema.parse({ generation_id: 'a', model_name: 'm', status: 'failed', error_message: 'Insufficient credits' }),
    );
    expect(row.reason).toBe('Insufficient credits');
  });

  it('GIVEN model info with json_request_schema only THEN it is the request schema', () => {
    const info = toModelInfo(ModelInfoSchema.parse({ id: 'm', json_request_schema: { type: 'object' }, extra: 1 }));
    expect(info.requestSchema).toEqual({ type: 'object' });
    expect(info.pricing).toBeNull();
  });

  it('GIVEN a failed SSE event THEN error becomes the reason and url is null', () => {
    const event = toCompletionEvent(
      CompletionEventSchema.parse({ generation_id: 'g', status: 'failed', media_type: 'video', error: 'boom' }),
    );
    expect(event).toEqual({ generationId: 'g', status: 'failed', url: null, reason: 'boom', model: null });
  });

  it('GIVEN an SSE event with an empty id THEN it is rejected', () => {
    expect(CompletionEventSchema.safeParse({ generation_id: '', status: 'succeeded' }).success).toBe(false);
  });
});
