/** The script of one configuration step on one VM, from the builders of shared/scripts (pure). */
import {
  buildClientCheck,
  buildCommPaths,
  buildDataKeeperMirror,
  buildDependencies,
  buildFirewall,
  buildHosts,
  buildInService,
  buildIpResource,
  buildLbhcResource,
  buildLifeKeeperInstall,
  buildLifeKeeperLicense,
  buildLifeKeeperStart,
  buildNicPinning,
  buildNodeNfsMount,
  buildPackageSource,
  buildPgsqlResource,
  buildPostgresClient,
  buildPostgresPrimary,
  buildPostgresServer,
  buildQwkCheck,
  buildQwkConfig,
  buildQwkInit,
  buildSelinux,
  buildSshd,
  buildSshKeys,
  buildSwitchover,
  buildWitnessNfsServer,
  buildQwkRelay,
  primaryAndStandby,
  STEP,
  type NicFact,
  type ScriptParams,
  type StepName,
  type StepScript,
} from '../scripts';
import type { ConfigStepRef } from './stages';

/** What only the activity knows when the step runs: the cluster's ids and the app's public URL (QWK_PUBLIC_URL). */
export interface StepContext {
  subscriptionId: string;
  resourceGroup: string;
  publicUrl?: string;
}

type Builder = (ref: ConfigStepRef, p: ScriptParams, nics: NicFact[], ctx?: StepContext) => StepScript;

const BUILDERS: Record<StepName, Builder> = {
  [STEP.hosts]: (_r, p) => buildHosts(p),
  [STEP.selinux]: () => buildSelinux(),
  [STEP.firewall]: (r, p) => buildFirewall(p, r.role),
  [STEP.nicPinning]: (_r, _p, nics) => buildNicPinning(nics),
  [STEP.sshd]: () => buildSshd(),
  [STEP.sshKeys]: (r, p) => buildSshKeys(p, r.role),
  [STEP.packageSource]: (_r, p) => buildPackageSource(p),
  [STEP.witnessNfs]: (_r, p) => buildWitnessNfsServer(p),
  [STEP.postgresClient]: () => buildPostgresClient(),
  [STEP.nodeNfs]: (_r, p) => buildNodeNfsMount(p),
  [STEP.lifeKeeperInstall]: (_r, p) => buildLifeKeeperInstall(p),
  [STEP.lifeKeeperLicense]: () => buildLifeKeeperLicense(),
  [STEP.lifeKeeperStart]: (_r, p) => buildLifeKeeperStart(p),
  [STEP.qwkConfig]: (_r, p) => buildQwkConfig(p),
  [STEP.qwkInit]: (r, p) => buildQwkInit(p, r.vm),
  [STEP.qwkCheck]: (r, p) => buildQwkCheck(p, r.role),
  [STEP.postgresServer]: () => buildPostgresServer(),
  [STEP.postgresPrimary]: (_r, p) => buildPostgresPrimary(p),
  [STEP.commPaths]: (r, p) => buildCommPaths(p, r.vm, { requireAlive: r.requireAlive ?? false }),
  [STEP.dataKeeper]: (_r, p) => buildDataKeeperMirror(p),
  [STEP.pgsqlResource]: (_r, p) => buildPgsqlResource(p),
  [STEP.lbhcResource]: (_r, p) => buildLbhcResource(p),
  [STEP.ipResource]: (_r, p) => buildIpResource(p),
  [STEP.dependencies]: (_r, p) => buildDependencies(p),
  [STEP.inService]: (r, p) => {
    const { primary, standby } = primaryAndStandby(p);
    return buildInService(p, r.vm, r.vm === primary.name ? standby.name : primary.name);
  },
  [STEP.switchover]: (r, p) => buildSwitchover(p, r.vm),
  [STEP.clientCheck]: (_r, p) => buildClientCheck(p),
  [STEP.relay]: (_r, p, _n, ctx) => {
    if (!ctx?.publicUrl)
      throw new Error(
        "the app's public URL is unknown (set QWK_PUBLIC_URL, or WEBSITE_HOSTNAME in Azure): the QWK relay needs it",
      );
    return buildQwkRelay(p, {
      subscriptionId: ctx.subscriptionId,
      resourceGroup: ctx.resourceGroup,
      publicUrl: ctx.publicUrl,
    });
  },
};

/**
 * The step's script; `nics` (the VM's NICs, primary first) matter for NIC pinning only, `ctx` for the QWK relay
 * only (it throws without ctx.publicUrl).
 */
export function buildStepScript(ref: ConfigStepRef, p: ScriptParams, nics: NicFact[], ctx?: StepContext): StepScript {
  return BUILDERS[ref.step](ref, p, nics, ctx);
}
