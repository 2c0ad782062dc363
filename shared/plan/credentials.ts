/** Fills a planned VM body with the admin credential fetched from Key Vault (inside the deploy activity only). */
import type { VirtualMachine } from '@azure/arm-compute';

export type AdminCredential = { publicKey: string } | { password: string };

/** A copy of `vmBody` with the SSH public key or the admin password filled in; the input is not modified. */
export function withCredentials(vmBody: VirtualMachine, credential: AdminCredential): VirtualMachine {
  const copy = structuredClone(vmBody);
  const linux = copy.osProfile?.linuxConfiguration;
  if (!copy.osProfile || !linux) throw new Error('withCredentials: the VM body has no Linux osProfile');
  if ('publicKey' in credential) {
    const keys = linux.ssh?.publicKeys;
    if (!linux.disablePasswordAuthentication || !keys?.length) {
      throw new Error('withCredentials: this VM is planned for password authentication, not an SSH key');
    }
    for (const key of keys) key.keyData = credential.publicKey;
  } else {
    if (linux.disablePasswordAuthentication) {
      throw new Error('withCredentials: this VM is planned for SSH-key authentication, not a password');
    }
    copy.osProfile.adminPassword = credential.password;
  }
  return copy;
}
