import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../local/azurite';
import { CONTAINERS } from '../../shared/names';
import { ReportStore, isReportId, reportBlobName } from '../../shared/reports/blobs';
import { buildReport } from '../../shared/reports/figures';
import { parseReportJson } from '../../shared/reports/json';
import { SUB, fleetNeighbours, scriptedDay } from '../support/reportHistories';

describe('report store in blob storage (Azurite)', () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('stores HTML and JSON under reports/<yyyy-mm-dd>/, lists them newest first and reads one back', async () => {
    const store = ReportStore.fromConnectionString(azurite.connectionString);
    const { history, period } = scriptedDay();
    const day = buildReport([history, ...fleetNeighbours(period)], period, { generatedAt: '2026-11-25T08:00:05.000Z' });
    const earlier = { from: '2026-11-23T08:00:00.000Z', to: '2026-11-24T08:00:00.000Z' };
    const older = buildReport([history], earlier, {
      generatedAt: '2026-11-24T08:00:04.000Z',
      scope: `${SUB}/LKL-QWK-storage`,
    });

    const saved = await store.save(day);
    await store.save(older);
    // Saving the same report again overwrites it.
    await store.save(day);
    expect(saved).toMatchObject({ id: day.id, date: '2026-11-25', clusters: 3, html: `2026-11-25/${day.id}.html` });

    // The blobs, as Azure names them, with their content types.
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      CONTAINERS.reports,
    );
    const blobs: Array<[string, string | undefined]> = [];
    for await (const b of container.listBlobsFlat()) blobs.push([b.name, b.properties.contentType]);
    expect(blobs.sort()).toEqual([
      [`2026-11-24/${older.id}.html`, 'text/html; charset=utf-8'],
      [`2026-11-24/${older.id}.json`, 'application/json; charset=utf-8'],
      [`2026-11-25/${day.id}.html`, 'text/html; charset=utf-8'],
      [`2026-11-25/${day.id}.json`, 'application/json; charset=utf-8'],
    ]);

    const list = await store.list();
    expect(list.map((r) => [r.id, r.date, r.from, r.to, r.clusters])).toEqual([
      [day.id, '2026-11-25', period.from, period.to, 3],
      [older.id, '2026-11-24', earlier.from, earlier.to, 1],
    ]);

    const html = await store.read(day.id, 'html');
    expect(html).toContain('<svg class="timeline"');
    expect(html?.match(/class="marker failover/g)).toHaveLength(1);
    const json = parseReportJson((await store.read(day.id, 'json'))!);
    expect(json.clusters.map((c) => c.cluster.name)).toEqual(day.clusters.map((c) => c.cluster.name));
    expect(json.clusters.find((c) => c.cluster.name === 'LKL-QWK-storage')?.failovers[0].rtoSeconds).toBe(40);

    expect(await store.read('hr-20200101T000000Z-20200102T000000Z', 'json')).toBeNull();
  });

  it('refuses ids it cannot have made, before any request', async () => {
    const store = ReportStore.fromConnectionString(azurite.connectionString);
    for (const id of ['../secrets', 'hr-2026-11-24', 'hr-20261124T080000Z-20261125T080000Z/../../x', '']) {
      expect(isReportId(id)).toBe(false);
      await expect(store.read(id, 'html')).rejects.toThrow(/not a report id/);
    }
    expect(reportBlobName('hr-20261124T080000Z-20261125T080000Z-abc', 'html')).toBe(
      '2026-11-25/hr-20261124T080000Z-20261125T080000Z-abc.html',
    );
  });
});
