/** The deployment plan: the cluster's Azure resources as a dependency graph of typed ARM SDK bodies. */
import type { AvailabilitySet, VirtualMachine } from '@azure/arm-compute';
import type {
  LoadBalancer,
  NatGateway,
  NetworkInterface,
  NetworkSecurityGroup,
  PublicIPAddress,
  VirtualNetwork,
} from '@azure/arm-network';
import type { ResourceGroup } from '@azure/arm-resources';

/** The SDK model sent as the PUT body, per resource kind. */
export interface ResourceBodies {
  resourceGroup: ResourceGroup;
  networkSecurityGroup: NetworkSecurityGroup;
  publicIPAddress: PublicIPAddress;
  natGateway: NatGateway;
  virtualNetwork: VirtualNetwork;
  availabilitySet: AvailabilitySet;
  loadBalancer: LoadBalancer;
  networkInterface: NetworkInterface;
  virtualMachine: VirtualMachine;
}

export type ResourceKind = keyof ResourceBodies;

/** How a credential the deployment generates is made: an SSH key pair, a password, or a 256-bit HMAC key as hex (the QWK relay's). */
export type CredentialKind = 'sshKey' | 'password' | 'hmacKey';

/** A generated credential in Key Vault, by name (never its value). */
export interface CredentialRef {
  kind: CredentialKind;
  secretName: string;
}

interface PlannedResourceOf<K extends ResourceKind> {
  /** stable step name, e.g. 'vnet', 'nsg:witness', 'nic:Clstr-nodeA:service', 'vm:Clstr-nodeA' */
  key: string;
  kind: K;
  /** the Azure resource name */
  name: string;
  /** the full ARM resource id */
  id: string;
  /** keys of the resources that must exist before this one is created */
  dependsOn: string[];
  body: ResourceBodies[K];
}

/** One resource of the plan; `body`'s type follows `kind`. */
export type PlannedResource<K extends ResourceKind = ResourceKind> = K extends ResourceKind
  ? PlannedResourceOf<K>
  : never;

export interface DeploymentPlan {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** topologically sorted: every resource comes after all of its dependencies */
  resources: PlannedResource[];
  /** how the VMs' admin account is authenticated and where the credential lives in Key Vault (never the value) */
  credentials: CredentialRef;
}
