/**
 * What must exist before a deployment may start, beyond a valid spec: checked at POST time so that a missing
 * prerequisite is a clear 400 instead of a failure half-way through the configuration.
 */
import { missingSecretErrors, requiredSecretNames } from '../paging/routes';
import type { SecretExistence } from '../secrets/secretExistence';
import type { ClusterSpec, FieldError } from '../spec';

export async function deploymentPreconditions(
  spec: ClusterSpec,
  vault: SecretExistence,
  vaultUrl: string,
): Promise<FieldError[]> {
  const errors = await routeSecretErrors(spec, vault);
  if (!spec.configure) return errors;
  const license = spec.lifeKeeper.licenseSecretName;
  if (!(await vault.exists(license))) {
    errors.push({
      path: 'lifeKeeper.licenseSecretName',
      message: `Key Vault ${vaultUrl} has no secret '${license}': store the LifeKeeper license key file's contents there first (az keyvault secret set --vault-name <vault> --name ${license} --file <license file>), or set configure: false to deploy only the infrastructure`,
    });
  }
  const sas = spec.lifeKeeper.installerSasSecretName;
  if (sas && !(await vault.exists(sas))) {
    errors.push({
      path: 'lifeKeeper.installerSasSecretName',
      message: `Key Vault ${vaultUrl} has no secret '${sas}' (the SAS for lifeKeeper.installerLocation): store it first`,
    });
  }
  return errors;
}

/** A 400 for each paging route whose Key Vault secret does not exist (the error names the secret). */
async function routeSecretErrors(spec: ClusterSpec, vault: SecretExistence): Promise<FieldError[]> {
  const routes = spec.monitoring?.routes ?? [];
  const names = requiredSecretNames(routes);
  const found = new Set<string>();
  for (const name of names) if (await vault.exists(name)) found.add(name);
  return missingSecretErrors(routes, (name) => found.has(name));
}
