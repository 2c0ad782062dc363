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
  const [, subscriptionId, resourceGroup, type, name] = ID.exec(id) ?? [];
  if (subscriptionId === undefined || resourceGroup === undefined)
    throw new Error(`not a top-level ARM resource id: ${id}`);
  return { subscriptionId, resourceGroup, ...(type && name ? { type, name } : {}) };
}
