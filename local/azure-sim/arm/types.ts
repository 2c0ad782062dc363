import { COMPUTE_TYPES } from './compute';
import { NETWORK_TYPES } from './network';
import type { ResourceType } from './resourceType';

/**
 * Every resource type the simulator serves. To add a resource provider, export its types from a folder beside
 * network/ and compute/ (e.g. insights/) and append them here; see ../README.md "Adding a resource type".
 */
export const RESOURCE_TYPES: ResourceType[] = [...NETWORK_TYPES, ...COMPUTE_TYPES];
