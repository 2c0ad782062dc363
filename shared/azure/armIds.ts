/** Parsing of ARM resource ids (pure). */

export interface ArmIdParts {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. Microsoft.Network/networkInterfaces; undefined for the resource group itself. */
  type?: string;
  name?: string;
}

const ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)(?:\/providers\/([^/]+\/[^/]+)\/([^/]+))?$/i;

export function parseArmId(id: string): ArmIdParts {
  const m = ID.exec(id);
  if (!m) throw new Error(`not a top-level ARM resource id: ${id}`);
  return { subscriptionId: m[1], resourceGroup: m[2], ...(m[3] ? { type: m[3], name: m[4] } : {}) };
}
