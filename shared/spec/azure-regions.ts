/**
 * Azure public-cloud region names (the `name` column of `az account list-locations`), embedded so that spec
 * validation needs no I/O, and the subset with availability zones (used for the ILB's zone-redundant frontend).
 * Snapshot; a region added by Microsoft later must be added here.
 */
export const AZURE_PUBLIC_REGIONS: readonly string[] = [
  'australiacentral', 'australiacentral2', 'australiaeast', 'australiasoutheast',
  'austriaeast', 'belgiumcentral', 'brazilsouth', 'brazilsoutheast',
  'canadacentral', 'canadaeast', 'centralindia', 'centralus', 'centraluseuap', 'chilecentral',
  'eastasia', 'eastus', 'eastus2', 'eastus2euap',
  'francecentral', 'francesouth', 'germanynorth', 'germanywestcentral',
  'indonesiacentral', 'israelcentral', 'italynorth',
  'japaneast', 'japanwest', 'jioindiacentral', 'jioindiawest',
  'koreacentral', 'koreasouth', 'malaysiawest', 'mexicocentral',
  'newzealandnorth', 'northcentralus', 'northeurope', 'norwayeast', 'norwaywest',
  'polandcentral', 'qatarcentral',
  'southafricanorth', 'southafricawest', 'southcentralus', 'southeastasia', 'southindia', 'spaincentral',
  'swedencentral', 'swedensouth', 'switzerlandnorth', 'switzerlandwest',
  'uaecentral', 'uaenorth', 'uksouth', 'ukwest',
  'westcentralus', 'westeurope', 'westindia', 'westus', 'westus2', 'westus3',
];

/** Regions with availability zones '1', '2', '3'. japaneast is one of them. */
export const AZURE_ZONAL_REGIONS: readonly string[] = [
  'australiaeast', 'austriaeast', 'belgiumcentral', 'brazilsouth', 'canadacentral', 'centralindia', 'centralus',
  'centraluseuap', 'chilecentral', 'eastasia', 'eastus', 'eastus2', 'eastus2euap', 'francecentral',
  'germanywestcentral', 'indonesiacentral', 'israelcentral', 'italynorth', 'japaneast', 'japanwest',
  'koreacentral', 'malaysiawest', 'mexicocentral', 'newzealandnorth', 'northeurope', 'norwayeast',
  'polandcentral', 'qatarcentral', 'southafricanorth', 'southcentralus', 'southeastasia', 'spaincentral',
  'swedencentral', 'switzerlandnorth', 'uaenorth', 'uksouth', 'westeurope', 'westus2', 'westus3',
];

export function isKnownRegion(name: string): boolean {
  return AZURE_PUBLIC_REGIONS.includes(name);
}

/** The zones a zone-redundant resource spans in `region`: ['1','2','3'] where the region has zones, else []. */
export function regionZones(region: string): string[] {
  return AZURE_ZONAL_REGIONS.includes(region) ? ['1', '2', '3'] : [];
}
