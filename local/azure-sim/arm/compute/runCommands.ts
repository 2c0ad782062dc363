import { badRequest } from '../errors';
import { envelope, locationOf, type ResourceType } from '../resourceType';
import { runtimeError } from '../runtimeErrors';

/** Splits Azure's Linux Run Command message ("Enable succeeded: \n[stdout]\n…\n[stderr]\n…") into its two streams. */
export function splitRunCommandMessage(message: string): { output: string; error: string } {
  const out = message.indexOf('[stdout]\n');
  const err = message.indexOf('\n[stderr]\n');
  if (out < 0 || err < 0) return { output: message, error: '' };
  return { output: message.slice(out + '[stdout]\n'.length, err), error: message.slice(err + '\n[stderr]\n'.length) };
}

/**
 * Managed Run Commands (`virtualMachines/{vm}/runCommands/{name}`): the PUT runs the inline script (`source.script`)
 * through the VM runtime, as RunShellScript, and GET `$expand=instanceView` shows its result. Scripts by URI
 * (`source.scriptUri`) are accepted but end Failed in the instance view: the simulator cannot download them.
 * `runAsPassword` is never kept.
 */
export const virtualMachineRunCommands: ResourceType = {
  type: 'Microsoft.Compute/virtualMachines/runCommands',
  short: 'virtualMachineRunCommands',
  segment: 'runCommands',
  provider: 'Microsoft.Compute',
  creatingState: 'Creating',
  createLatency: 'virtualMachines.runCommand',
  updateLatency: 'virtualMachines.runCommand',
  deleteLatency: 'disks.delete',
  prepare(_ctx, input) {
    const props = input.body.properties ?? {};
    const source = props.source ?? {};
    if (!source.script && !source.scriptUri && !source.commandId)
      throw badRequest('InvalidParameter', "Required parameter 'source' is missing (null).", 'source');
    const { runAsPassword: _secret, instanceView: _iv, provisioningState: _ps, ...rest } = props;
    return {
      location: locationOf(input),
      tags: input.body.tags,
      properties: {
        asyncExecution: false,
        treatFailureAsDeploymentFailure: false,
        timeoutInSeconds: 0,
        ...rest,
        source,
      },
    };
  },
  render(_ctx, rec, query) {
    const body = envelope(rec, rec.properties, false);
    if (/instanceView/i.test(query?.get('$expand') ?? '') && rec.internal.instanceView)
      body.properties.instanceView = rec.internal.instanceView;
    return body;
  },
  async onCommitted(ctx, rec) {
    const vmId = rec.id.split('/').slice(0, -2).join('/');
    const startTime = new Date().toISOString();
    const p = rec.properties;
    const view = (executionState: string, extra: Record<string, unknown>) => ({
      executionState,
      executionMessage: '',
      startTime,
      endTime: new Date().toISOString(),
      statuses: [],
      ...extra,
    });
    if (!p.source.script) {
      rec.internal.instanceView = view('Failed', {
        exitCode: -1,
        output: '',
        error:
          'The simulator runs inline scripts (source.script) only; scriptUri/commandId sources are not downloaded.',
      });
    } else {
      try {
        const out = await ctx.runtime.runCommand(vmId, {
          commandId: 'RunShellScript',
          script: String(p.source.script).split('\n'),
          parameters: p.parameters,
        });
        rec.internal.instanceView = view(out.exitCode === 0 ? 'Succeeded' : 'Failed', {
          exitCode: out.exitCode,
          ...splitRunCommandMessage(out.message),
        });
      } catch (e) {
        if (!runtimeError(e)) throw e;
        rec.internal.instanceView = view('Failed', { exitCode: -1, output: '', error: (e as Error).message });
      }
    }
    if (p.treatFailureAsDeploymentFailure && rec.internal.instanceView.executionState !== 'Succeeded') {
      throw badRequest(
        'VMExtensionProvisioningError',
        `Run command '${rec.name}' failed: ${rec.internal.instanceView.error}`,
      );
    }
  },
};
