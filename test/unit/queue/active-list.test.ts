import { describe, expect, it } from 'vitest';
import { GATEWAY_PAGE_CAP, type GenerationRow, type OxenPort } from '../../../src/core/ports/oxen.js';
import { ACTIVE_PAGE_SIZE, listActive } from '../../../src/queue/background/active-list.js';

const row = (i: number): GenerationRow => ({
  generationId: `g${i}`,
  model: 'm',
  status: 'queued',
  enqueuedAt: 0,
  startedAt: null,
  completedAt: null,
  resultUrl: null,
  reason: null,
});

/** An Oxen whose active list holds `total` rows, paged as asked or (`paging` false) all at once. */
function oxenWith(total: number, paging: boolean) {
  const rows = Array.from({ length: total }, (_, i) => row(i));
  const calls: number[] = [];
  const oxen = {
    async list(filter?: { page?: number; pageSize?: number }) {
      const page = filter?.page ?? 1;
      calls.push(page);
      if (!paging) return rows;
      const size = filter?.pageSize ?? rows.length;
      return rows.slice((page - 1) * size, page * size);
    },
  } as unknown as OxenPort;
  return { oxen, calls };
}

describe("the reconciler's read of Oxen's active list", () => {
  it('GIVEN 2,500 active and ours on the third page THEN three pages, every row', async () => {
    const { oxen, calls } = oxenWith(2_500, true);
    const list = await listActive(oxen, 'm', new Set(['g2100', 'g2499']));
    expect(calls).toEqual([1, 2, 3]);
    expect(list).toMatchObject({ pages: 3, complete: true });
    expect(list.rows).toHaveLength(2_500);
  });

  it('GIVEN 2,500 active and all of ours on the first page THEN one call', async () => {
    const { oxen, calls } = oxenWith(2_500, true);
    const list = await listActive(oxen, 'm', new Set(['g0', 'g999']));
    expect(calls).toEqual([1]);
    expect(list.complete).toBe(true);
  });

  it('GIVEN a server that ignores paging THEN one call finds ours, and a finished one of ours costs one more', async () => {
    const all = oxenWith(2_500, false);
    expect((await listActive(all.oxen, 'm', new Set(['g2400']))).pages).toBe(1);
    // g9999 left the list: page 2 repeats page 1, which ends the read (complete: it is missing for real).
    const again = oxenWith(2_500, false);
    const list = await listActive(again.oxen, 'm', new Set(['g2400', 'g9999']));
    expect(again.calls).toEqual([1, 2]);
    expect(list).toMatchObject({ pages: 2, complete: true });
  });

  it('GIVEN a first page shorter than a gateway cap THEN it is the last, whatever is missing', async () => {
    const { oxen, calls } = oxenWith(GATEWAY_PAGE_CAP - 1, true);
    const list = await listActive(oxen, 'm', new Set(['gone']));
    expect(calls).toEqual([1]);
    expect(list.complete).toBe(true);
  });

  it('GIVEN a gateway that caps every page at 100 rows THEN the pages after the first are read too', async () => {
    const rows = Array.from({ length: 250 }, (_, i) => row(i));
    const calls: number[] = [];
    const oxen = {
      async list(filter?: { page?: number }) {
        const page = filter?.page ?? 1;
        calls.push(page);
        return rows.slice((page - 1) * GATEWAY_PAGE_CAP, page * GATEWAY_PAGE_CAP);
      },
    } as unknown as OxenPort;
    const list = await listActive(oxen, 'm', new Set(['g240']));
    expect(calls).toEqual([1, 2, 3]);
    expect(list.rows.map((r) => r.generationId)).toContain('g240');
  });

  it('GIVEN a page under the size asked for but as long as a gateway cap THEN one more page is asked for', async () => {
    const { oxen, calls } = oxenWith(ACTIVE_PAGE_SIZE - 1, true);
    const list = await listActive(oxen, 'm', new Set(['gone']));
    expect(calls).toEqual([1, 2]);
    expect(list.complete).toBe(true);
  });

  it('GIVEN more full pages than the cap THEN the list is marked incomplete', async () => {
    const { oxen } = oxenWith(ACTIVE_PAGE_SIZE * 101, true);
    const list = await listActive(oxen, 'm', new Set(['gone']));
    expect(list).toMatchObject({ pages: 100, complete: false });
  });
});
