/** ARM resource ids: parsing and building, case-insensitive like ARM. */
export interface ParsedId {
  subscriptionId: string;
  resourceGroup: string;
  /** "Microsoft.Network/virtualNetworks" */
  type: string;
  name: string;
  /** Child segment, e.g. { type: 'subnets', name: 'default' }. */
  child?: { type: string; name: string };
}

const ID_RE =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+)\/([^/]+))?\/?$/i;

export function parseResourceId(id: string): ParsedId | undefined {
  const m = ID_RE.exec(id);
  if (!m) return undefined;
  return {
    subscriptionId: m[1],
    resourceGroup: m[2],
    type: `${m[3]}/${m[4]}`,
    name: m[5],
    ...(m[6] && m[7] ? { child: { type: m[6], name: m[7] } } : {}),
  };
}

export function resourceId(subscriptionId: string, resourceGroup: string, type: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${type}/${name}`;
}

export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

/** The id of a resource without a trailing child segment, lower-cased, as the store's key. */
export function key(id: string): string {
  return id.toLowerCase().replace(/\/$/, '');
}

/** `.../loadBalancers/lb/probes/p` → `.../loadBalancers/lb` */
export function parentOf(childId: string): string {
  return childId.split('/').slice(0, -2).join('/');
}

export function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && key(a) === key(b);
}
