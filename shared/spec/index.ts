export { parseClusterSpec } from './parse';
export type { FieldError, ParseClusterSpecOptions, ParseClusterSpecResult } from './parse';
export type { ClusterNode, ClusterSpec, ClusterSpecInput, WitnessSpec } from './schema';
export { AZURE_PUBLIC_REGIONS, AZURE_ZONAL_REGIONS, regionZones } from './azureRegions';
export { MANAGED_BY_TAG, SEED } from './seedDefaults';
