/** The QWK shared storage: an NFS export on the witness, mounted on both nodes (the guide's section 9.1). */
import { sh, singleLine, sq } from './bash';
import type { ScriptParams } from './params';
import { STEP, stepScript, type StepScript } from './script';

/** The guide's /etc/exports lines: "/root/qwkshare Clstr-nodeA(rw,no_root_squash,sync,no_wdelay)", one per node. */
export function exportsLines(p: ScriptParams): string[] {
  return p.nodes.map(
    (n) =>
      `${singleLine('share path', p.qwk.sharePath)} ${n.name}(${singleLine('export options', p.qwk.exportOptions)})`,
  );
}

/** The guide's fstab line on the nodes: "Witness-node:/root/qwkshare /mnt/qwkmnt nfs soft,timeo=20,retrans=1,noac 0 0". */
export function qwkFstabLine(p: ScriptParams): string {
  return `${p.witness.name}:${p.qwk.sharePath} ${p.qwk.mountPoint} nfs ${singleLine('mount options', p.qwk.mountOptions)} 0 0`;
}

/** Witness: nfs-utils, the share directory, the two exports, exportfs, nfs-server enabled and running. */
export function buildWitnessNfsServer(p: ScriptParams): StepScript {
  const lines = exportsLines(p)
    .map((l) => sh`ensure_line /etc/exports ${sq(l)}`)
    .join('\n');
  return stepScript(
    STEP.witnessNfs,
    sh`
share=${sq(p.qwk.sharePath)}
ensure_packages nfs-utils
ensure_dir "$share" 755
exports_before=$QWK_CHANGED
QWK_CHANGED=false
${lines}
exports_changed=$QWK_CHANGED
if [ "$exports_before" = true ]; then QWK_CHANGED=true; fi
was_active=false
if systemctl is-active --quiet nfs-server 2>/dev/null; then was_active=true; fi
ensure_service_running nfs-server
if [ "$exports_changed" = true ] && [ "$was_active" = true ]; then
  qwk_run exportfs -ra
  qwk_changed "re-exported (exportfs -ra)"
elif ! grep -qF -- "$share" <<<"$(exportfs -v 2>>"$QWK_LOG")"; then
  qwk_run exportfs -a
  qwk_changed "exported $share (exportfs -a)"
fi
grep -qF -- "$share" <<<"$(exportfs -v 2>>"$QWK_LOG")" || qwk_fail "$share is not exported (exportfs -v)"
qwk_data share "$share"
`,
  );
}

/** Nodes: nfs-utils, the mount point, the guide's fstab line, mounted. */
export function buildNodeNfsMount(p: ScriptParams): StepScript {
  return stepScript(
    STEP.nodeNfs,
    sh`
mp=${sq(p.qwk.mountPoint)}
src=${sq(`${p.witness.name}:${p.qwk.sharePath}`)}
ensure_packages nfs-utils
ensure_dir "$mp" 755
ensure_fstab_entry "$mp" ${sq(qwkFstabLine(p))}
if ! is_mounted "$mp"; then
  qwk_run mount "$mp" || qwk_fail "mount $mp failed: is the witness exporting $src?"
  qwk_changed "mounted $mp"
fi
qwk_data mountPoint "$mp"
`,
  );
}
