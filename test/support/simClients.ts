/** The SDK clients for a running simulator live with the simulator; tests import them from here. */
export * from '../../local/azure-sim/sdkClients';
