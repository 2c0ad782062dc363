import { describe, expect, it } from 'vitest';
import {
  inScope,
  matchesCondition,
  resourceHealthEvent,
  targetId,
} from '../../local/azure-sim/monitor/alerts/payloads';
import { passesFilter } from '../../local/azure-sim/monitor/alerts/signals';

const SUB = '/subscriptions/00000000-0000-0000-0000-00000000a2ee';
const VM = `${SUB}/resourceGroups/rg-qwk/providers/Microsoft.Compute/virtualMachines/nodeA`;
const event = (current: 'Unavailable' | 'Degraded' | 'Available', previous = 'Available' as const) =>
  resourceHealthEvent(
    {
      resourceId: VM,
      currentHealthStatus: current,
      previousHealthStatus: previous,
      at: new Date(0),
      cause: 'PlatformInitiated',
    },
    { eventDataId: 'e', correlationId: 'c' },
  );

describe('activity log alert conditions on Resource Health events', () => {
  const category = { field: 'category', equals: 'ResourceHealth' };
  const cases: [string, any[], ReturnType<typeof event>, boolean][] = [
    ['category only', [category], event('Unavailable'), true],
    ['category is case-insensitive', [{ field: 'Category', equals: 'resourcehealth' }], event('Unavailable'), true],
    ['another category', [{ field: 'category', equals: 'Administrative' }], event('Unavailable'), false],
    [
      'anyOf Unavailable/Degraded on Degraded',
      [
        category,
        {
          anyOf: [
            { field: 'properties.currentHealthStatus', equals: 'Unavailable' },
            { field: 'properties.currentHealthStatus', equals: 'Degraded' },
          ],
        },
      ],
      event('Degraded'),
      true,
    ],
    [
      'anyOf Unavailable/Degraded on Available',
      [
        category,
        {
          anyOf: [
            { field: 'properties.currentHealthStatus', equals: 'Unavailable' },
            { field: 'properties.currentHealthStatus', equals: 'Degraded' },
          ],
        },
      ],
      event('Available'),
      false,
    ],
    [
      'containsAny',
      [category, { field: 'properties.currentHealthStatus', containsAny: ['Unavailable'] }],
      event('Unavailable'),
      true,
    ],
    ['status Resolved on recovery', [category, { field: 'status', equals: 'Resolved' }], event('Available'), true],
    ['status Active on failure', [category, { field: 'status', equals: 'Active' }], event('Unavailable'), true],
    ['cause', [category, { field: 'properties.cause', equals: 'PlatformInitiated' }], event('Unavailable'), true],
    [
      'resourceType',
      [category, { field: 'resourceType', equals: 'microsoft.compute/virtualmachines' }],
      event('Unavailable'),
      true,
    ],
    ['unknown field', [category, { field: 'properties.nothing', equals: 'x' }], event('Unavailable'), false],
  ];
  it.each(cases)('%s', (_w, allOf, ev, want) => expect(matchesCondition(ev, allOf)).toBe(want));

  it('marks a recovery as Resolved with the Resolved operation', () => {
    expect(event('Available')).toMatchObject({
      status: 'Resolved',
      operationName: 'Microsoft.Resourcehealth/healthevent/Resolved/action',
    });
    expect(event('Unavailable').operationName).toBe('Microsoft.Resourcehealth/healthevent/Activated/action');
  });
});

describe('scopes, target ids and dimension filters', () => {
  const scopes: [string[], boolean][] = [
    [[SUB], true],
    [[`${SUB}/resourceGroups/RG-QWK`], true],
    [[VM.toLowerCase()], true],
    [[`${SUB}/resourceGroups/rg-qwk2`], false],
    [[`${SUB}/resourceGroups/rg-qwk/providers/Microsoft.Compute/virtualMachines/nodeAB`], false],
    [[`${SUB}/resourceGroups/other`, SUB], true],
  ];
  it.each(scopes)('scope %j → %s', (s, want) => expect(inScope(VM, s)).toBe(want));

  it('writes target ids like the published samples', () => {
    expect(targetId(VM)).toBe(`${SUB}/resourcegroups/rg-qwk/providers/microsoft.compute/virtualmachines/nodeA`);
  });

  const filters: [Record<string, string>, any[], boolean][] = [
    [{ BackendIPAddress: '10.0.0.4' }, [{ name: 'BackendIPAddress', operator: 'Include', values: ['*'] }], true],
    [{ BackendIPAddress: '10.0.0.4' }, [{ name: 'backendipaddress', operator: 'Include', values: ['10.0.0.4'] }], true],
    [
      { BackendIPAddress: '10.0.0.4' },
      [{ name: 'BackendIPAddress', operator: 'Include', values: ['10.0.0.5'] }],
      false,
    ],
    [
      { BackendIPAddress: '10.0.0.4' },
      [{ name: 'BackendIPAddress', operator: 'Exclude', values: ['10.0.0.4'] }],
      false,
    ],
    [{ BackendIPAddress: '10.0.0.4' }, [{ name: 'BackendIPAddress', operator: 'Exclude', values: ['10.0.0.5'] }], true],
    [{}, [{ name: 'BackendIPAddress', operator: 'Include', values: ['10.0.0.5'] }], true],
  ];
  it.each(filters)('series %j with %j → %s', (dims, f, want) => expect(passesFilter(dims, f)).toBe(want));
});
