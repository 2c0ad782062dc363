/** Activity: what only ARM knows once the VMs exist: each VM's NICs in order (MAC, private IP). */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { classifyArmError } from '../../shared/azure/armErrors';
import { azureClients } from '../../shared/azure/clients';
import type { ClusterFacts, ReadVmFactsInput, ReadVmFactsOutcome, VmFacts } from '../../shared/configure/contracts';
import { runtimeFactsOf } from '../../shared/configure/facts';
import { ACTIVITIES } from '../../shared/names';

const handler: ActivityHandler = async (input: ReadVmFactsInput): Promise<ReadVmFactsOutcome> => {
  const clients = azureClients();
  try {
    const vms: Record<string, VmFacts> = {};
    await Promise.all(
      input.vms.map(async (name) => {
        const vm = await clients.compute(input.subscriptionId).virtualMachines.get(input.resourceGroup, name);
        const refs = [...(vm.networkProfile?.networkInterfaces ?? [])].sort(
          (a, b) => Number(b.primary ?? false) - Number(a.primary ?? false),
        );
        const nics = await Promise.all(
          refs.map(async (ref, i) => {
            const nicName = ref.id!.split('/').pop()!;
            const nic = await clients.network(input.subscriptionId).networkInterfaces.get(input.resourceGroup, nicName);
            if (!nic.macAddress) throw new Error(`NIC ${nicName} of ${name} has no MAC address yet`);
            return {
              id: nic.id!,
              device: `eth${i}`,
              macAddress: nic.macAddress,
              privateIp: nic.ipConfigurations?.[0]?.privateIPAddress,
            };
          }),
        );
        vms[name] = { id: vm.id!, nics };
      }),
    );
    const facts: ClusterFacts = { vms, runtime: runtimeFactsOf(vms) };
    return { ok: true, facts };
  } catch (err) {
    return { ok: false, failure: classifyArmError(err) };
  }
};

df.app.activity(ACTIVITIES.readVmFacts, { handler });
