import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../local/azure-sim/arm/faults';
import {
  firstFreeIp,
  ipInCidr,
  isReservedInSubnet,
  overlaps,
  contains,
  parseCidr,
} from '../../local/azure-sim/arm/ipam';
import { parseResourceId } from '../../local/azure-sim/arm/ids';
import { canonicalJson } from '../../local/azure-sim/arm/resourceType';
import { durationMs } from '../../local/azure-sim/monitor/metrics';

describe('ipam', () => {
  it('parses CIDRs and checks containment, overlap and membership', () => {
    const vnet = parseCidr('10.20.0.0/16')!;
    const a = parseCidr('10.20.1.0/24')!;
    const b = parseCidr('10.20.1.128/25')!;
    expect(parseCidr('10.20.1.0/33')).toBeUndefined();
    expect(parseCidr('nope')).toBeUndefined();
    expect(contains(vnet, a)).toBe(true);
    expect(contains(a, vnet)).toBe(false);
    expect(overlaps(a, b)).toBe(true);
    expect(overlaps(a, parseCidr('10.20.2.0/24')!)).toBe(false);
    expect(ipInCidr('10.20.1.255', a)).toBe(true);
    expect(ipInCidr('10.20.2.0', a)).toBe(false);
  });

  it("knows Azure's five reserved addresses and allocates the first free one after them", () => {
    const s = parseCidr('10.0.0.0/29')!;
    expect(['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.7'].map((ip) => isReservedInSubnet(ip, s))).toEqual(
      [true, true, true, true, true],
    );
    expect(isReservedInSubnet('10.0.0.4', s)).toBe(false);
    expect(firstFreeIp(s, new Set())).toBe('10.0.0.4');
    expect(firstFreeIp(s, new Set(['10.0.0.4', '10.0.0.5']))).toBe('10.0.0.6');
    expect(firstFreeIp(s, new Set(['10.0.0.4', '10.0.0.5', '10.0.0.6']))).toBeUndefined();
  });
});

describe('resource ids', () => {
  it('parses top-level and child ids case-insensitively', () => {
    expect(
      parseResourceId('/subscriptions/s/resourcegroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a'),
    ).toEqual({
      subscriptionId: 's',
      resourceGroup: 'rg',
      type: 'Microsoft.Network/virtualNetworks',
      name: 'v',
      child: { type: 'subnets', name: 'a' },
    });
    expect(parseResourceId('/subscriptions/s/resourceGroups/rg')).toBeUndefined();
  });
});

describe('canonicalJson', () => {
  it('ignores key order and never contains secret values, yet tells different secrets apart', () => {
    const a = canonicalJson({ b: 1, a: { adminPassword: 'Secret-1!', x: [2, 1] } });
    const b = canonicalJson({ a: { x: [2, 1], adminPassword: 'Secret-1!' }, b: 1 });
    expect(a).toBe(b);
    expect(a).not.toContain('Secret-1!');
    expect(canonicalJson({ adminPassword: 'Secret-2!' })).not.toBe(canonicalJson({ adminPassword: 'Secret-1!' }));
  });
});

describe('FaultInjector', () => {
  const target = {
    method: 'PUT',
    resourceType: 'Microsoft.Network/networkInterfaces',
    name: 'nic1',
    op: 'networkInterfaces.createOrUpdate',
    lro: true,
  };

  it('matches by method, short or full type, name and op, N times', () => {
    const f = new FaultInjector();
    f.add({ method: 'put', resourceType: 'networkInterfaces', name: 'NIC1', kind: 'throttle', times: 2 });
    expect(f.take({ ...target, method: 'GET' }, 'request')).toBeUndefined();
    expect(f.take(target, 'request')?.kind).toBe('throttle');
    expect(f.take(target, 'request')?.kind).toBe('throttle');
    expect(f.take(target, 'request')).toBeUndefined();
    f.add({
      resourceType: 'Microsoft.Network/networkInterfaces',
      op: 'networkInterfaces.createOrUpdate',
      kind: 'serverError',
    });
    expect(f.take(target, 'request')?.kind).toBe('serverError');
  });

  it('applies LRO faults only to requests that start an LRO, in the lro phase', () => {
    const f = new FaultInjector();
    f.add({ kind: 'lroFailed', code: 'AllocationFailed' });
    expect(f.take(target, 'request')).toBeUndefined();
    expect(f.take({ ...target, lro: false }, 'lro')).toBeUndefined();
    expect(f.take(target, 'lro')?.code).toBe('AllocationFailed');
  });

  it('refuses unknown kinds', () => {
    expect(() => new FaultInjector().add({ kind: 'boom' as never })).toThrow(/unknown fault kind/);
  });
});

describe('metrics intervals', () => {
  it('parses ISO 8601 durations', () => {
    expect(durationMs('PT1M')).toBe(60_000);
    expect(durationMs('PT1H')).toBe(3_600_000);
    expect(durationMs('P1D')).toBe(86_400_000);
    expect(durationMs('PT30S')).toBe(30_000);
    expect(() => durationMs('1 minute')).toThrow();
  });
});
