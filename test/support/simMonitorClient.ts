/** @azure/arm-monitor's MonitorClient (v8) pointed at a running simulator, as the other ARM clients are. */
import { MonitorClient } from '@azure/arm-monitor';
import { SIM_SUBSCRIPTION, simCredential, type SimEndpoint } from './simClients';

export function makeMonitorClient(sim: SimEndpoint, subscriptionId = SIM_SUBSCRIPTION): MonitorClient {
  return new MonitorClient(simCredential, subscriptionId, {
    endpoint: sim.url,
    tlsOptions: { ca: sim.caPem },
    retryOptions: { maxRetries: 0 },
  });
}
