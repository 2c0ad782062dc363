import { describe, expect, it } from 'vitest';
import type { MetricsQueryResult } from '@azure/monitor-query-metrics';
import {
  availabilityFromBatch,
  powerStateFromStatuses,
  probeHealthFromRule,
} from '../../shared/monitoring/azureSignals';

const LB = (rg: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/${rg}/providers/Microsoft.Network/loadBalancers/LKL-QWK-storage-ILB`;
const at = new Date('2026-11-25T10:00:30Z');

describe('probeHealthFromRule', () => {
  const cases = [
    {
      name: 'one backend Up, one Down with its reason',
      health: {
        up: 1,
        down: 1,
        loadBalancerBackendAddresses: [
          { ipAddress: '10.5.1.11', state: 'Up', networkInterfaceIPConfigurationId: '/…/ipConfigurations/ipconfig1' },
          { ipAddress: '10.5.1.12', state: 'Down', reason: 'Probe failed' },
        ],
      },
      expected: [
        { ipAddress: '10.5.1.11', state: 'Up' },
        { ipAddress: '10.5.1.12', state: 'Down', reason: 'Probe failed' },
      ],
    },
    {
      name: 'a stopped VM has no entry; an entry without an address is dropped',
      health: {
        up: 1,
        down: 0,
        loadBalancerBackendAddresses: [{ ipAddress: '10.5.1.12', state: 'up' }, { state: 'Up' }],
      },
      expected: [{ ipAddress: '10.5.1.12', state: 'Up' }],
    },
    {
      name: 'an unknown state is Unknown, never Up',
      health: { loadBalancerBackendAddresses: [{ ipAddress: '10.5.1.11', state: 'Degraded' }] },
      expected: [{ ipAddress: '10.5.1.11', state: 'Unknown' }],
    },
    { name: 'no addresses at all', health: {}, expected: [] },
  ];
  for (const c of cases)
    it(c.name, () => {
      expect(probeHealthFromRule(c.health, at)).toEqual({ observedAt: at.toISOString(), backends: c.expected });
    });
});

/** One result as @azure/monitor-query-metrics returns it: names localized, metadata names localized too. */
function result(lbId: string | undefined, withIds: boolean, dipByIp: Record<string, (number | undefined)[]>) {
  const minutes = [0, 1, 2].map((m) => new Date(Date.parse('2026-11-25T09:57:00Z') + m * 60_000));
  const series = (values: (number | undefined)[]) =>
    minutes.map((timeStamp, i) => ({ timeStamp, ...(values[i] !== undefined ? { average: values[i] } : {}) }));
  const metricId = (name: string) => (withIds ? `${lbId ?? ''}/providers/Microsoft.Insights/metrics/${name}` : '');
  return {
    resourceId: lbId,
    granularity: 'PT1M',
    timespan: { startTime: minutes[0], endTime: minutes[2] },
    metrics: [
      {
        id: metricId('DipAvailability'),
        type: 'Microsoft.Insights/metrics',
        name: 'Health Probe Status',
        unit: 'Count',
        timeseries: Object.entries(dipByIp).map(([ip, values]) => ({
          metadatavalues: [{ name: 'Backend IP Address', value: ip }],
          data: series(values),
        })),
      },
      {
        id: metricId('VipAvailability'),
        type: 'Microsoft.Insights/metrics',
        name: 'Data Path Availability',
        unit: 'Count',
        timeseries: [{ metadatavalues: [], data: series([100, 100, undefined]) }],
      },
    ],
    getMetricByName: () => undefined,
  } as unknown as MetricsQueryResult;
}

describe('availabilityFromBatch', () => {
  it('matches results by resource id (any case and order) and metrics by id, never by display name', () => {
    const a = LB('rg-a');
    const b = LB('rg-b');
    const results = [
      result(b.toUpperCase(), true, { '10.5.1.11': [0, 0, undefined], '10.5.1.12': [100, 92.31, undefined] }),
      result(a, true, { '10.5.1.11': [100, 92.31, undefined], '10.5.1.12': [0, 0, undefined] }),
    ];
    // the metrics come in the other order than requested: ids decide
    results[0].metrics.reverse();
    const out = availabilityFromBatch(results, [a, b]);
    expect(out.get(a)!.dip['10.5.1.11'].map((p) => p.average)).toEqual([100, 92.31, undefined]);
    expect(out.get(b)!.dip['10.5.1.12'].map((p) => p.average)).toEqual([100, 92.31, undefined]);
    expect(out.get(b)!.vip.map((p) => p.average)).toEqual([100, 100, undefined]);
    expect(out.get(a)!.dip['10.5.1.11'][0]).toEqual({ timeStamp: '2026-11-25T09:57:00.000Z', average: 100 });
    expect(Object.keys(out.get(a)!.dip).sort()).toEqual(['10.5.1.11', '10.5.1.12']);
  });

  it('falls back to positions when the answer carries no ids', () => {
    const a = LB('rg-a');
    const out = availabilityFromBatch([result(undefined, false, { '10.5.1.11': [46.15, 50, 50] })], [a]);
    expect(out.get(a)!.dip['10.5.1.11'].map((p) => p.average)).toEqual([46.15, 50, 50]);
    expect(out.get(a)!.vip).toHaveLength(3);
  });

  it('leaves out a load balancer the answer does not contain', () => {
    const a = LB('rg-a');
    const out = availabilityFromBatch([result(LB('rg-other'), true, {})], [a]);
    expect(out.has(a)).toBe(false);
  });
});

describe('powerStateFromStatuses', () => {
  const cases: [string, { code?: string }[] | undefined, string][] = [
    ['running', [{ code: 'ProvisioningState/succeeded' }, { code: 'PowerState/running' }], 'running'],
    ['deallocated', [{ code: 'PowerState/deallocated' }], 'deallocated'],
    ['stopped', [{ code: 'powerstate/Stopped' }], 'stopped'],
    ['no power status', [{ code: 'ProvisioningState/succeeded' }], 'unknown'],
    ['an unknown power status', [{ code: 'PowerState/hibernated' }], 'unknown'],
    ['no statuses', undefined, 'unknown'],
  ];
  for (const [name, statuses, expected] of cases)
    it(name, () => expect(powerStateFromStatuses(statuses)).toBe(expected));
});
