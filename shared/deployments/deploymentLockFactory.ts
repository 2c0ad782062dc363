/** The process-wide deployment lock on the app's storage account. */
import { appConfig, ConfigError, SETTINGS } from '../config';
import { DeploymentLock } from './deploymentLock';

let lock: DeploymentLock | undefined;

export function deploymentLock(): DeploymentLock {
  if (!lock) {
    const config = appConfig();
    if (!config.storageConnection) throw new ConfigError(`${SETTINGS.storage} is not set`);
    lock = DeploymentLock.fromConnectionString(config.storageConnection, config.deploymentsTable);
  }
  return lock;
}
