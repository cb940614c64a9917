import { describe, expect, it } from 'vitest';
import type { DownloadedFile, GenerationRow, OxenPort } from '../../../src/core/ports/oxen.js';
import { OxenNetworkError, OxenNotFoundError } from '../../../src/oxen/errors.js';
import { downloadWithFreshLink } from '../../../src/queue/worker/result-download.js';

/** An Oxen whose links answer as `links` says (a file, or an error), and whose row has `rowUrl`. */
function fakeOxen(links: Record<string, Error | 'ok'>, rowUrl: string | null) {
  const calls: string[] = [];
  const oxen: Pick<OxenPort, 'downloadResult' | 'getStatus'> = {
    async downloadResult(url, destPath): Promise<DownloadedFile> {
      calls.push(`download ${url}`);
      const answer = links[url];
      if (answer !== 'ok') throw answer ?? new OxenNotFoundError('no such link');
      return { path: destPath, bytes: 10, contentType: 'video/mp4' };
    },
    async getStatus(generationId): Promise<GenerationRow> {
      calls.push(`status ${generationId}`);
      return { generationId, status: 'succeeded', resultUrl: rowUrl } as GenerationRow;
    },
  };
  return { oxen, calls };
}

describe('downloadWithFreshLink (worker deliver step and CLI)', () => {
  it('GIVEN a working link THEN one download and no status read', async () => {
    const { oxen, calls } = fakeOxen({ a: 'ok' }, 'b');
    await expect(downloadWithFreshLink(oxen, 'g1', 'a', '/tmp/x.mp4')).resolves.toMatchObject({ path: '/tmp/x.mp4' });
    expect(calls).toEqual(['download a']);
  });

  it("GIVEN an expired link THEN the row's result_url is tried once, and the caller is told", async () => {
    const { oxen, calls } = fakeOxen({ a: new OxenNotFoundError('expired'), b: 'ok' }, 'b');
    const stale: unknown[] = [];
    await downloadWithFreshLink(oxen, 'g1', 'a', '/tmp/x.mp4', { onStaleLink: (e) => stale.push(e) });
    expect(calls).toEqual(['download a', 'status g1', 'download b']);
    expect(stale).toHaveLength(1);
  });

  it('GIVEN no link yet THEN the row gives it', async () => {
    const { oxen, calls } = fakeOxen({ b: 'ok' }, 'b');
    await downloadWithFreshLink(oxen, 'g1', null, '/tmp/x.mp4');
    expect(calls).toEqual(['status g1', 'download b']);
  });

  it('GIVEN the row has the same dead link THEN the first error, no second download', async () => {
    const expired = new OxenNotFoundError('expired');
    const { oxen, calls } = fakeOxen({ a: expired }, 'a');
    await expect(downloadWithFreshLink(oxen, 'g1', 'a', '/tmp/x.mp4')).rejects.toBe(expired);
    expect(calls).toEqual(['download a', 'status g1']);
  });

  it('GIVEN a transient failure THEN it is thrown for the caller to retry, without reading the row', async () => {
    const { oxen, calls } = fakeOxen({ a: new OxenNetworkError('reset') }, 'b');
    await expect(downloadWithFreshLink(oxen, 'g1', 'a', '/tmp/x.mp4')).rejects.toBeInstanceOf(OxenNetworkError);
    expect(calls).toEqual(['download a']);
  });

  it('GIVEN no link anywhere THEN an error that says so', async () => {
    const { oxen } = fakeOxen({}, null);
    await expect(downloadWithFreshLink(oxen, 'g1', undefined, '/tmp/x.mp4')).rejects.toThrow('no result URL');
  });
});
