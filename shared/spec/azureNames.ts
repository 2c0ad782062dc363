/**
 * Azure naming rules per resource type (length and characters), from Microsoft's "Naming rules and restrictions
 * for Azure resources". `nameProblem` says what is wrong with a name, in words, or returns null.
 */
export type AzureNameKind =
  | 'resourceGroup'
  | 'virtualNetwork'
  | 'subnet'
  | 'networkInterface'
  | 'networkSecurityGroup'
  | 'publicIPAddress'
  | 'natGateway'
  | 'loadBalancer'
  | 'loadBalancerChild'
  | 'availabilitySet'
  | 'virtualMachine'
  | 'keyVaultSecret';

interface NameRule {
  label: string;
  max: number;
  pattern: RegExp;
  /** what the characters may be, in words */
  characters: string;
  extra?: (name: string) => string | null;
}

/** Networking and availability-set names: alphanumerics, '_', '.', '-'; start alphanumeric; end alphanumeric or '_'. */
const NETWORK_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const NETWORK_CHARACTERS =
  "letters, digits, '_', '.' and '-', starting with a letter or digit and ending with a letter, digit or '_'";

function networkRule(label: string): NameRule {
  return { label, max: 80, pattern: NETWORK_PATTERN, characters: NETWORK_CHARACTERS };
}

const RULES: Record<AzureNameKind, NameRule> = {
  resourceGroup: {
    label: 'resource group name',
    max: 90,
    pattern: /^[-\w.()]+$/,
    characters: "letters, digits, '_', '-', '.', '(' and ')', not ending with '.'",
    extra: (name) => (name.endsWith('.') ? 'it must not end with a period' : null),
  },
  virtualNetwork: networkRule('virtual network name'),
  subnet: networkRule('subnet name'),
  networkInterface: networkRule('network interface name'),
  networkSecurityGroup: networkRule('network security group name'),
  publicIPAddress: networkRule('public IP address name'),
  natGateway: networkRule('NAT gateway name'),
  loadBalancer: networkRule('load balancer name'),
  loadBalancerChild: networkRule('load balancer child resource name'),
  availabilitySet: networkRule('availability set name'),
  virtualMachine: {
    label: 'VM name (also the Linux computer name)',
    max: 64,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    characters: "letters, digits and '-' (no '_' or '.'), starting and ending with a letter or digit",
    extra: (name) => (/^\d+$/.test(name) ? 'it must not be only digits' : null),
  },
  keyVaultSecret: {
    label: 'Key Vault secret name',
    max: 127,
    pattern: /^[0-9A-Za-z-]+$/,
    characters: "letters, digits and '-'",
  },
};

export function nameProblem(kind: AzureNameKind, name: string): string | null {
  const rule = RULES[kind];
  const expectation = `a ${rule.label} of 1–${rule.max} characters: ${rule.characters}`;
  if (name.length < 1 || name.length > rule.max) {
    return `expected ${expectation}; got "${name}" (${name.length} characters)`;
  }
  if (!rule.pattern.test(name)) return `expected ${expectation}; got "${name}"`;
  const extra = rule.extra?.(name);
  return extra ? `expected ${expectation}; got "${name}": ${extra}` : null;
}

/** Makes any text a valid Key Vault secret name fragment (used to derive secret names from the resource group). */
export function toSecretNameFragment(text: string): string {
  return (
    text
      .replace(/[^0-9A-Za-z-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '') || 'cluster'
  );
}
