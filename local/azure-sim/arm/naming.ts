import { badRequest } from './errors';
import type { ResourceType } from './resourceType';

/** ARM's name rules for the resource types we model (1–80 word characters, '.', '-', '_'; Compute up to 64). */
export function checkResourceName(type: ResourceType, name: string): void {
  if (type.checkName) return type.checkName(name);
  const max = type.provider === 'Microsoft.Compute' ? 64 : 80;
  if (name.length > max || !/^\w[\w.-]*$/.test(name) || !/[\w]$/.test(name)) {
    throw badRequest(
      type.provider === 'Microsoft.Compute' ? 'InvalidParameter' : 'InvalidResourceName',
      `Resource name ${name} is invalid. The name can be up to ${max} characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.`,
    );
  }
}

/** Resource group names: 1–90 of letters, digits, '-', '_', '.', '(', ')'; not ending in '.'. */
export function checkGroupName(rg: string): void {
  if (!/^[-\w._()]{1,90}$/.test(rg) || rg.endsWith('.')) {
    throw badRequest(
      'InvalidResourceGroup',
      `The provided resource group name '${rg}' has these invalid characters: ...`,
    );
  }
}
