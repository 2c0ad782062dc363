/** Which Key Vault secret feeds each secret parameter of the scripts (names only, pure). */
import type { CredentialRef } from '../plan';
import { SECRET_PARAMETERS, type SecretParameterName } from '../scripts';
import { GENERATED_SECRETS } from '../names';
import type { ClusterSpec } from '../spec';
import { relayKeySecretName } from '../monitoring/relayKey';

/** Secret parameter → Key Vault secret name (absent: the parameter is not passed). */
export type SecretBindings = Partial<Record<SecretParameterName, string>>;

/**
 * The cluster's SSH key pair (witness → nodes): the admin key pair when the VMs use SSH keys, else a pair of its
 * own generated beside the admin password.
 */
export function clusterSshKeySecret(credentials: CredentialRef): string {
  return credentials.kind === 'sshKey'
    ? credentials.secretName
    : GENERATED_SECRETS.clusterSshKey(credentials.secretName);
}

export function secretBindings(spec: ClusterSpec, credentials: CredentialRef): SecretBindings {
  const key = clusterSshKeySecret(credentials);
  return {
    [SECRET_PARAMETERS.sshPublicKey]: GENERATED_SECRETS.publicKey(key),
    [SECRET_PARAMETERS.sshPrivateKey]: key,
    [SECRET_PARAMETERS.lifeKeeperLicense]: spec.lifeKeeper.licenseSecretName,
    ...(spec.lifeKeeper.installerSasSecretName
      ? { [SECRET_PARAMETERS.lifeKeeperInstallerSas]: spec.lifeKeeper.installerSasSecretName }
      : {}),
    ...(spec.postgres.authMethod === 'scram-sha-256'
      ? { [SECRET_PARAMETERS.postgresPassword]: spec.keyVault.postgresPasswordSecretName }
      : {}),
    [SECRET_PARAMETERS.relayKey]: relayKeySecretName(spec.subscriptionId, spec.resourceGroup),
  };
}

/**
 * Secrets the deployment generates (get-or-create) before configuring: the cluster key pair, the PostgreSQL
 * password, the QWK relay's HMAC key.
 */
export function generatedSecrets(spec: ClusterSpec, credentials: CredentialRef): CredentialRef[] {
  return [
    { secretName: clusterSshKeySecret(credentials), kind: 'sshKey' },
    ...(spec.postgres.authMethod === 'scram-sha-256'
      ? [{ secretName: spec.keyVault.postgresPasswordSecretName, kind: 'password' as const }]
      : []),
    { secretName: relayKeySecretName(spec.subscriptionId, spec.resourceGroup), kind: 'hmacKey' },
  ];
}
