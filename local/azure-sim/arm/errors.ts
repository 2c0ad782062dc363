/** An ARM error response: HTTP status plus the `{error:{code,message,target?,details?}}` body. */
export interface ArmErrorBody {
  code: string;
  message: string;
  target?: string;
  details?: ArmErrorBody[];
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    readonly details: ArmErrorBody[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: ArmErrorBody } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.target ? { target: this.target } : {}),
        details: this.details,
      },
    };
  }
}

export const badRequest = (code: string, message: string, target?: string) => new ArmError(400, code, message, target);

export const resourceNotFound = (type: string, name: string, resourceGroup: string) =>
  new ArmError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );

export const resourceGroupNotFound = (name: string) =>
  new ArmError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);

/** Network RP's answer to a reference to a resource that does not exist. */
export const invalidReference = (referencedId: string, referrer: string) =>
  new ArmError(
    400,
    'InvalidResourceReference',
    `Resource ${referencedId} referenced by resource ${referrer} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
    undefined,
    [{ code: 'NotFound', message: `Resource ${referencedId} not found.` }],
  );

/** Compute RP's answer to a reference to a resource that does not exist. */
export const computeReferenceNotFound = (referencedId: string) =>
  new ArmError(404, 'NotFound', `Resource ${referencedId} not found.`);

/** Compute RP's "Required parameter 'x' is missing (null)." */
export const missingComputeParameter = (path: string) =>
  badRequest('InvalidParameter', `Required parameter '${path}' is missing (null).`, path);

/** Network RP's answer to a body it cannot use (missing or malformed required property). */
export const invalidNetworkRequest = (message: string) => badRequest('InvalidRequestFormat', message);

export const anotherOperationInProgress = (resourceId: string, operationId: string) =>
  new ArmError(
    409,
    'AnotherOperationInProgress',
    `Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: ${operationId}. Resource: ${resourceId}.`,
  );
