/** The network resources of the plan: NSGs, public IPs, NAT gateway, VNet, internal load balancer, NICs. */
import type { NetworkInterfaceIPConfiguration, SecurityRule } from '@azure/arm-network';
import { regionZones } from '../spec';
import { KEYS, type PlanContext, type PlannedVm, planned } from './context';
import type { PlannedResource } from './types';

/** NSG source for the witness's SSH rule: NSGs know `*` and the `Internet` tag, not "Any". */
function nsgSource(source: string): string {
  const lowered = source.toLowerCase();
  if (lowered === 'any' || lowered === '*') return '*';
  if (lowered === 'internet') return 'Internet';
  return source;
}

export const SSH_RULE_NAME = 'allow-ssh-from-source';

/**
 * NSGs are attached per NIC (as the portal does). The private NSG (every NIC without a public IP) has no custom
 * rule: Azure's defaults allow the VNet and the load balancer's probes and deny everything else inbound, so
 * nothing reaches the nodes from the internet. The witness's NSG adds SSH (22) from the spec's source range only.
 */
export function securityGroups(ctx: PlanContext): PlannedResource[] {
  const { spec, ids } = ctx;
  const groups = [
    planned('networkSecurityGroup', KEYS.privateNsg, spec.network.privateNsgName, ids.privateNsg, [], {
      location: ctx.location,
      tags: ctx.tags,
      securityRules: [],
    }),
  ];
  if (ctx.witnessPublic) {
    const source = spec.witness.sshSourceCidr;
    const ssh: SecurityRule[] =
      source === undefined
        ? []
        : [
            {
              name: SSH_RULE_NAME,
              priority: 1000,
              direction: 'Inbound',
              access: 'Allow',
              protocol: 'Tcp',
              sourceAddressPrefix: nsgSource(source),
              sourcePortRange: '*',
              destinationAddressPrefix: '*',
              destinationPortRange: '22',
            },
          ];
    groups.push(
      planned('networkSecurityGroup', KEYS.witnessNsg, spec.witness.nsgName, ids.witnessNsg, [], {
        location: ctx.location,
        tags: ctx.tags,
        securityRules: ssh,
      }),
    );
  }
  return groups;
}

function standardStaticIp(ctx: PlanContext, deleteWithVm: boolean) {
  return {
    location: ctx.location,
    tags: ctx.tags,
    sku: { name: 'Standard', tier: 'Regional' },
    publicIPAllocationMethod: 'Static',
    publicIPAddressVersion: 'IPv4',
    ...(deleteWithVm ? { deleteOption: 'Delete' } : {}),
  };
}

export function publicIps(ctx: PlanContext): PlannedResource[] {
  const { spec, ids } = ctx;
  const ips: PlannedResource[] = [];
  if (ctx.witnessPublic) {
    ips.push(
      planned(
        'publicIPAddress',
        KEYS.witnessPip,
        spec.witness.publicIpName,
        ids.witnessPip,
        [],
        standardStaticIp(ctx, true),
      ),
    );
  }
  if (spec.outbound.natGateway) {
    ips.push(
      planned(
        'publicIPAddress',
        KEYS.natGatewayPip,
        spec.outbound.publicIpName,
        ids.natGatewayPip,
        [],
        standardStaticIp(ctx, false),
      ),
    );
  }
  return ips;
}

/** Outbound access for both subnets: Standard ILB backends get no default outbound, and RHUI / Run Command need one. */
export function natGateway(ctx: PlanContext): PlannedResource[] {
  const { spec, ids } = ctx;
  if (!spec.outbound.natGateway) return [];
  return [
    planned('natGateway', KEYS.natGateway, spec.outbound.natGatewayName, ids.natGateway, [KEYS.natGatewayPip], {
      location: ctx.location,
      tags: ctx.tags,
      sku: { name: 'Standard' },
      idleTimeoutInMinutes: 4,
      publicIpAddresses: [{ id: ids.natGatewayPip }],
    }),
  ];
}

/** The VNet with both subnets inline; the subnets reference the NAT gateway, so the VNet depends on it. */
export function virtualNetwork(ctx: PlanContext): PlannedResource {
  const { spec, ids } = ctx;
  const nat = spec.outbound.natGateway ? { natGateway: { id: ids.natGateway } } : {};
  const { service, replication } = spec.network.subnets;
  return planned(
    'virtualNetwork',
    KEYS.vnet,
    spec.network.vnetName,
    ids.vnet,
    [spec.outbound.natGateway && KEYS.natGateway],
    {
      location: ctx.location,
      tags: ctx.tags,
      addressSpace: { addressPrefixes: [spec.network.addressSpace] },
      subnets: [
        { name: service.name, addressPrefix: service.addressPrefix, ...nat },
        { name: replication.name, addressPrefix: replication.addressPrefix, ...nat },
      ],
    },
  );
}

/**
 * The internal Standard load balancer: a static frontend in the service subnet (zone-redundant where the region has
 * zones), the backend pool (filled by the nodes' primary NICs), a TCP probe on the LB Health Check port and one rule
 * port → port with floating IP (LifeKeeper holds the frontend IP on the active node).
 */
export function loadBalancer(ctx: PlanContext): PlannedResource {
  const { spec, ids } = ctx;
  const lb = spec.loadBalancer;
  const zones = lb.frontendZones ?? regionZones(ctx.location);
  return planned('loadBalancer', KEYS.loadBalancer, lb.name, ids.loadBalancer, [KEYS.vnet], {
    location: ctx.location,
    tags: ctx.tags,
    sku: { name: 'Standard', tier: 'Regional' },
    frontendIPConfigurations: [
      {
        name: lb.frontendName,
        privateIPAllocationMethod: 'Static',
        privateIPAddress: lb.frontendIp,
        privateIPAddressVersion: 'IPv4',
        subnet: { id: ids.serviceSubnet },
        ...(zones.length > 0 ? { zones } : {}),
      },
    ],
    backendAddressPools: [{ name: lb.backendPoolName }],
    probes: [
      {
        name: lb.probe.name,
        protocol: 'Tcp',
        port: lb.probe.port,
        intervalInSeconds: lb.probe.intervalInSeconds,
        numberOfProbes: lb.probe.numberOfProbes,
        probeThreshold: lb.probe.threshold,
        noHealthyBackendsBehavior: 'AllProbedDown',
      },
    ],
    loadBalancingRules: [
      {
        name: lb.ruleName,
        frontendIPConfiguration: { id: ids.frontend },
        backendAddressPool: { id: ids.backendPool },
        probe: { id: ids.probe },
        protocol: 'Tcp',
        frontendPort: lb.port,
        backendPort: lb.port,
        enableFloatingIP: lb.floatingIp,
        idleTimeoutInMinutes: lb.idleTimeoutInMinutes,
        loadDistribution: 'Default',
        enableTcpReset: false,
        disableOutboundSnat: true,
      },
    ],
  });
}

/** Both NICs of a VM: primary on the service subnet, secondary on the replication subnet, static IPs. */
export function networkInterfaces(ctx: PlanContext, vm: PlannedVm): PlannedResource[] {
  const { spec, ids } = ctx;
  const isNode = vm.role === 'node';
  const witnessPublic = vm.role === 'witness' && ctx.witnessPublic;
  const nic = (
    network: 'service' | 'replication',
    name: string,
    ip: string,
    nsg: { key: string; id: string },
    extra: Partial<NetworkInterfaceIPConfiguration>,
    deps: (string | false)[],
  ) =>
    planned('networkInterface', KEYS.nic(vm.name, network), name, ids.nic(name), [KEYS.vnet, nsg.key, ...deps], {
      location: ctx.location,
      tags: ctx.tags,
      enableAcceleratedNetworking: spec.vm.acceleratedNetworking,
      networkSecurityGroup: { id: nsg.id },
      ipConfigurations: [
        {
          name: 'ipconfig1',
          primary: true,
          privateIPAllocationMethod: 'Static',
          privateIPAddress: ip,
          privateIPAddressVersion: 'IPv4',
          subnet: { id: network === 'service' ? ids.serviceSubnet : ids.replicationSubnet },
          ...extra,
        },
      ],
    });
  const privateNsg = { key: KEYS.privateNsg, id: ids.privateNsg };
  const serviceNsg = witnessPublic ? { key: KEYS.witnessNsg, id: ids.witnessNsg } : privateNsg;
  return [
    nic(
      'service',
      vm.serviceNicName,
      vm.serviceIp,
      serviceNsg,
      {
        ...(isNode ? { loadBalancerBackendAddressPools: [{ id: ids.backendPool }] } : {}),
        ...(witnessPublic ? { publicIPAddress: { id: ids.witnessPip } } : {}),
      },
      [isNode && KEYS.loadBalancer, witnessPublic && KEYS.witnessPip],
    ),
    nic('replication', vm.replicationNicName, vm.replicationIp, privateNsg, {}, []),
  ];
}
