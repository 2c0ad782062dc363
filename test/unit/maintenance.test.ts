/** Maintenance windows of deployments and drills (shared/monitoring/maintenance.ts) and their effect. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadMaintenanceConfig } from '../../shared/config';
import {
  beginMaintenance,
  closeWindow,
  endMaintenance,
  openWindow,
  registrationWindow,
  type MaintenanceDeps,
} from '../../shared/monitoring/maintenance';
import type { MaintenanceWindow } from '../../shared/monitoring/signals';
import { MAINTENANCE_SILENCE_ID } from '../../shared/names';
import { isSilenced, type Silence } from '../../shared/paging/silences';

const T0 = new Date('2026-11-25T12:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const iso = (s: number) => at(s).toISOString();
const W = (by: string, from: number, until: number): MaintenanceWindow => ({
  from: iso(from),
  until: iso(until),
  reason: `op ${by}`,
  by,
});

describe('openWindow / closeWindow', () => {
  it.each([
    ['a first window', [], 'dpl-1', 0, [W('dpl-1', 0, 3600)]],
    [
      'the same operation again keeps its window (idempotent)',
      [W('dpl-1', 0, 3600)],
      'dpl-1',
      10,
      [W('dpl-1', 0, 3600)],
    ],
    ['another operation adds its own', [W('dpl-1', 0, 3600)], 'drl-2', 10, [W('dpl-1', 0, 3600), W('drl-2', 10, 3610)]],
    ['an expired window is dropped', [W('dpl-0', -7200, -3600)], 'dpl-1', 0, [W('dpl-1', 0, 3600)]],
    ['an expired own window is opened afresh', [W('dpl-1', -7200, -1)], 'dpl-1', 0, [W('dpl-1', 0, 3600)]],
  ])('open: %s', (_name, windows, by, now, expected) => {
    expect(openWindow(windows, { operationId: by, reason: `op ${by}` }, at(now), 60)).toEqual(expected);
  });

  it.each([
    ['ends the own window settle seconds from now', [W('dpl-1', 0, 3600)], 'dpl-1', 100, 30, [W('dpl-1', 0, 130)]],
    ['never lengthens one', [W('dpl-1', 0, 110)], 'dpl-1', 100, 30, [W('dpl-1', 0, 110)]],
    ['settle 0 ends it now', [W('dpl-1', 0, 3600)], 'dpl-1', 100, 0, []],
    ["leaves others' windows", [W('dpl-1', 0, 3600), W('drl-2', 0, 3600)], 'dpl-1', 100, 0, [W('drl-2', 0, 3600)]],
    ['of an unknown operation: nothing', [W('drl-2', 0, 3600)], 'dpl-9', 100, 30, [W('drl-2', 0, 3600)]],
  ])('close: %s', (_name, windows, by, now, settle, expected) => {
    expect(closeWindow(windows, by, at(now), settle)).toEqual(expected);
  });
});

/** In-memory registry row and silences table. */
function fakes(registered: boolean) {
  let windows: MaintenanceWindow[] = [];
  const silences = new Map<string, Silence>();
  let now = T0;
  const deps: MaintenanceDeps = {
    registry: {
      updateMaintenance: (_s, _r, change) => {
        if (!registered) return Promise.resolve(false);
        windows = change(windows);
        return Promise.resolve(true);
      },
    },
    silences: {
      putSilence: (s) => (silences.set(s.id, s), Promise.resolve()),
      deleteSilence: (_c, id) => Promise.resolve(silences.delete(id)),
    },
    config: { maxMinutes: 240, settleSeconds: 30 },
    now: () => now,
  };
  return { deps, windows: () => windows, silences, setNow: (d: Date) => (now = d) };
}

const cluster = { subscriptionId: '00000000-0000-0000-0000-000000000001', resourceGroup: 'LKL-QWK-storage' };

describe('beginMaintenance / endMaintenance', () => {
  it('opens a bounded window and a silence; ending lifts the silence and keeps the window 30 s', async () => {
    const f = fakes(true);
    const req = { cluster, operationId: 'dpl-1', reason: 'deployment dpl-1' };
    const begun = await beginMaintenance(req, f.deps);
    expect(begun).toEqual({ registered: true, until: iso(240 * 60) });
    expect(await beginMaintenance(req, f.deps)).toEqual(begun); // an activity retried
    expect(f.windows()).toEqual([{ ...W('dpl-1', 0, 240 * 60), reason: 'deployment dpl-1' }]);
    const silence = f.silences.get(MAINTENANCE_SILENCE_ID('dpl-1'))!;
    expect(silence).toMatchObject({ until: iso(240 * 60), createdBy: 'dpl-1', reason: 'deployment dpl-1' });
    expect(isSilenced([silence], cluster, at(60))).toBe(true);
    expect(isSilenced([silence], cluster, at(240 * 60))).toBe(false); // the safety net

    f.setNow(at(600));
    expect(await endMaintenance(req, f.deps)).toEqual({ registered: true, silenceLifted: true });
    expect(f.silences.size).toBe(0);
    expect(f.windows()).toEqual([{ ...W('dpl-1', 0, 630), reason: 'deployment dpl-1' }]);
    expect(await endMaintenance(req, f.deps)).toEqual({ registered: true, silenceLifted: false });
  });

  it('an unregistered cluster gets the silence only', async () => {
    const f = fakes(false);
    const begun = await beginMaintenance({ cluster, operationId: 'dpl-2', reason: 'deployment dpl-2' }, f.deps);
    expect(begun.registered).toBe(false);
    expect(f.silences.size).toBe(1);
    await endMaintenance({ cluster, operationId: 'dpl-2' }, f.deps);
    expect(f.silences.size).toBe(0);
  });
});

describe('loadMaintenanceConfig', () => {
  it('defaults to 240 min and 30 s, reads and checks the settings', () => {
    expect(loadMaintenanceConfig({})).toEqual({ maxMinutes: 240, settleSeconds: 30 });
    expect(loadMaintenanceConfig({ QWK_MAINTENANCE_MAX_MINUTES: '60', QWK_MAINTENANCE_SETTLE_SECONDS: '0' })).toEqual({
      maxMinutes: 60,
      settleSeconds: 0,
    });
    expect(() => loadMaintenanceConfig({ QWK_MAINTENANCE_MAX_MINUTES: '0' })).toThrow(ConfigError);
    expect(() => loadMaintenanceConfig({ QWK_MAINTENANCE_MAX_MINUTES: '20000' })).toThrow(/7 days/);
    expect(() => loadMaintenanceConfig({ QWK_MAINTENANCE_SETTLE_SECONDS: '-1' })).toThrow(ConfigError);
  });
});

describe('registrationWindow', () => {
  it('a cluster registered by a deployment still in maintenance is registered in maintenance until its silence ends', () => {
    const silence = { until: iso(3600), reason: 'deployment dpl-1' };
    expect(registrationWindow(silence, 'dpl-1', at(60))).toEqual([
      { from: iso(60), until: iso(3600), reason: 'deployment dpl-1', by: 'dpl-1' },
    ]);
    expect(registrationWindow(undefined, 'dpl-1', at(60))).toEqual([]);
    expect(registrationWindow(silence, 'dpl-1', at(3600))).toEqual([]);
  });
});
