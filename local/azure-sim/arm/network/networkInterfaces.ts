import { createHash } from 'node:crypto';
import { badRequest, invalidNetworkRequest, invalidReference } from '../errors';
import { sameId } from '../ids';
import { T, findSubnet, lbChildExists, vmOfNic } from '../networkRefs';
import { envelope, locationOf, ref, subResource, type ResourceType } from '../resourceType';
import { assignWithSiblings, guid, items, networkType, requireRef, strip, type Item } from './common';

// ------------------------------------------------------------------ network interfaces

/** A stable MAC address per NIC in Azure's format, with Microsoft's 00-0D-3A prefix as Azure uses. */
export function macAddressOf(nicId: string): string {
  const h = createHash('sha256').update(nicId.toLowerCase()).digest('hex').toUpperCase();
  return `00-0D-3A-${h.slice(0, 2)}-${h.slice(2, 4)}-${h.slice(4, 6)}`;
}

export const networkInterfaces: ResourceType = networkType(T.nic, 'networkInterfaces', {
  prepare(ctx, input) {
    const props = input.body.properties ?? {};
    const configs = items(props.ipConfigurations, 'ipConfigurations');
    if (!configs.length)
      throw invalidNetworkRequest(`Network interface ${input.id} must have one or more IP configurations.`);
    const primaries = configs.filter((c) => c.properties.primary === true);
    if (configs.length > 1 && primaries.length !== 1) {
      throw badRequest(
        'NetworkInterfaceMustHaveOnePrimaryIpConfiguration',
        `Network interface ${input.id} with multiple IP configurations must have exactly one primary IP configuration.`,
      );
    }
    if (configs.length === 1) configs[0].properties.primary = true;
    requireRef(ctx.store, props.networkSecurityGroup?.id, T.nsg, input.id);
    const previous: Item[] = input.existing?.properties.ipConfigurations ?? [];
    const claimed = new Map<string, string>();
    const ordered = [...configs].sort(
      (a, b) => Number(!!b.properties.privateIPAddress) - Number(!!a.properties.privateIPAddress),
    );
    for (const c of ordered) {
      const cp = c.properties;
      const referrer = `${input.id}/ipConfigurations/${c.name}`;
      if (!cp.subnet?.id) throw invalidNetworkRequest(`IP configuration ${referrer} must reference a subnet.`);
      if (!findSubnet(ctx.store, cp.subnet.id)) throw invalidReference(cp.subnet.id, referrer);
      requireRef(ctx.store, cp.publicIPAddress?.id, T.pip, referrer);
      for (const pool of cp.loadBalancerBackendAddressPools ?? []) {
        if (!lbChildExists(ctx.store, pool?.id, 'backendAddressPools')) throw invalidReference(pool?.id, referrer);
      }
      const prev = previous.find((x) => x.name.toLowerCase() === c.name.toLowerCase());
      assignWithSiblings(ctx, c, cp.subnet.id, input.id, prev, claimed);
    }
    return {
      location: locationOf(input),
      tags: input.body.tags,
      properties: {
        ...strip(props, 'ipConfigurations', 'macAddress', 'virtualMachine', 'primary'),
        ipConfigurations: configs,
        enableAcceleratedNetworking: props.enableAcceleratedNetworking ?? false,
        enableIPForwarding: props.enableIPForwarding ?? false,
        dnsSettings: { dnsServers: props.dnsSettings?.dnsServers ?? [], ...(props.dnsSettings ?? {}) },
      },
    };
  },
  render(ctx, rec) {
    const vm = vmOfNic(ctx.store, rec.id);
    const { ipConfigurations, dnsSettings, ...rest } = rec.properties;
    const vmNics: any[] = vm?.properties.networkProfile?.networkInterfaces ?? [];
    const primary = vm
      ? vmNics.length === 1
        ? true
        : vmNics.some((n) => sameId(n.id, rec.id) && n.properties?.primary === true)
      : undefined;
    return envelope(rec, {
      ...rest,
      resourceGuid: guid(rec.id),
      ipConfigurations: (ipConfigurations ?? []).map((c: Item) => subResource(rec, 'ipConfigurations', c)),
      dnsSettings: {
        ...dnsSettings,
        appliedDnsServers: dnsSettings?.dnsServers ?? [],
        internalDomainNameSuffix: `${guid(rec.id).replace(/-/g, '').slice(0, 26)}.ax.internal.cloudapp.net`,
      },
      ...(vm ? { virtualMachine: ref(vm.id), macAddress: macAddressOf(rec.id), primary } : {}),
      nicType: 'Standard',
    });
  },
  checkDelete(ctx, rec) {
    const vm = vmOfNic(ctx.store, rec.id);
    if (vm) {
      throw badRequest(
        'NicInUse',
        `Network Interface ${rec.id} is used by existing resource ${vm.id}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.`,
      );
    }
  },
  children: {
    ipconfigurations: {
      opName: 'networkInterfaceIPConfigurations',
      list: (ctx, nic) => networkInterfaces.render(ctx, nic).properties.ipConfigurations,
    },
  },
});
