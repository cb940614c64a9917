import { describe, expect, it } from 'vitest';
import { createPromMetrics } from '../../../src/http/metrics.js';

describe('createPromMetrics', () => {
  it('GIVEN port calls THEN the scrape shows each named metric with its labels', async () => {
    const metrics = createPromMetrics({ defaultMetrics: false });
    metrics.requestAccepted('discord');
    metrics.requestAccepted('discord');
    metrics.requestFinished('slack', 'failed');
    metrics.refused('discord', 'user_daily_limit');
    metrics.generationSeconds(5, 200);
    metrics.delivered('discord', 'transcode');
    metrics.oxenError('oxen_rate_limited');
    metrics.sseReconnected();

    const text = await metrics.registry.metrics();

    expect(text).toContain('animate_requests_accepted_total{platform="discord"} 2');
    expect(text).toContain('animate_requests_finished_total{platform="slack",outcome="failed"} 1');
    expect(text).toContain('animate_refusals_total{platform="discord",reason="user_daily_limit"} 1');
    expect(text).toContain('animate_generation_seconds_bucket{le="240",duration="5"} 1');
    expect(text).toContain('animate_generation_seconds_bucket{le="180",duration="5"} 0');
    expect(text).toContain('animate_generation_seconds_count{duration="5"} 1');
    expect(text).toContain('animate_deliveries_total{platform="discord",method="transcode"} 1');
    expect(text).toContain('animate_oxen_errors_total{kind="oxen_rate_limited"} 1');
    expect(text).toContain('animate_sse_reconnects_total 1');
  });

  it('GIVEN a queue-count reader THEN the scrape shows queue depth by state and generations in flight', async () => {
    const metrics = createPromMetrics({
      defaultMetrics: false,
      queueCounts: async () => ({ waiting: 3, active: 1, delayed: 4, failed: 2 }),
    });

    const text = await metrics.registry.metrics();

    expect(text).toContain('animate_queue_jobs{state="waiting"} 3');
    expect(text).toContain('animate_queue_jobs{state="failed"} 2');
    expect(text).toContain('animate_generations_in_flight 5');
  });

  it('GIVEN an in-flight reader THEN it wins over the estimate from queue counts', async () => {
    const metrics = createPromMetrics({
      defaultMetrics: false,
      queueCounts: async () => ({ active: 1, delayed: 4 }),
      inFlight: async () => 7,
    });

    expect(await metrics.registry.metrics()).toContain('animate_generations_in_flight 7');
  });

  it('GIVEN the queue reader fails THEN the scrape still answers and the error is reported', async () => {
    const errors: unknown[] = [];
    const metrics = createPromMetrics({
      defaultMetrics: false,
      queueCounts: async () => {
        throw new Error('redis down');
      },
      onCollectError: (error) => errors.push(error),
    });
    metrics.sseReconnected();

    const text = await metrics.registry.metrics();

    expect(text).toContain('animate_sse_reconnects_total 1');
    expect(text).not.toContain('animate_queue_jobs{');
    expect(errors).toHaveLength(1);
  });

  it('GIVEN default metrics on THEN process metrics are exported too', async () => {
    const metrics = createPromMetrics();

    expect(await metrics.registry.metrics()).toContain('process_resident_memory_bytes');
  });

  it('GIVEN a negative generation time THEN it is not recorded', async () => {
    const metrics = createPromMetrics({ defaultMetrics: false });
    metrics.generationSeconds(10, -3);

    expect(await metrics.registry.metrics()).not.toContain('animate_generation_seconds_count{duration="10"}');
  });
});
