import { describe, expect, it } from 'vitest';
import { generatedSecrets } from '../../shared/configure/secrets';
import { GENERATED_SECRETS } from '../../shared/names';
import { relayKeySecretName } from '../../shared/monitoring/relayKey';
import { parseClusterSpec } from '../../shared/spec';
import {
  CONFIRM_HEADER,
  confirmationError,
  generatedSecretNames,
  parseDeleteResources,
} from '../../shared/teardown/teardown';

const SUB = '00000000-1111-2222-3333-444444444444';

describe('confirmationError', () => {
  it.each([
    ['LKL-QWK-storage', undefined],
    ['lkl-qwk-storage', undefined], // ARM compares resource group names case-insensitively
    [' LKL-QWK-storage ', undefined],
    [null, 'repeat'],
    ['', 'repeat'],
    ['LKL-QWK-other', 'does not name'],
  ])('%j → %s', (header, expected) => {
    const err = confirmationError('LKL-QWK-storage', header);
    if (expected === undefined) expect(err).toBeUndefined();
    else {
      expect(err?.path).toBe(`headers.${CONFIRM_HEADER}`);
      expect(err?.message).toContain(expected);
      expect(err?.message).toContain('nothing was deleted');
    }
  });
});

describe('parseDeleteResources', () => {
  it.each([
    [null, { ok: true, value: false }],
    ['', { ok: true, value: false }],
    ['false', { ok: true, value: false }],
    ['true', { ok: true, value: true }],
  ])('%j', (q, expected) => expect(parseDeleteResources(q)).toEqual(expected));
  it('refuses anything else', () => {
    expect(parseDeleteResources('yes')).toMatchObject({ ok: false, error: { path: 'query.deleteResources' } });
  });
});

describe('generatedSecretNames', () => {
  it('names what a default spec generates, for either admin credential kind, and no operator secret', () => {
    const names = generatedSecretNames(SUB, 'LKL-QWK-storage');
    for (const kind of ['sshKey', 'password'] as const) {
      const parsed = parseClusterSpec(
        {
          subscriptionId: SUB,
          witness: { sshSourceCidr: '203.0.113.0/24' },
          vm: { auth: { kind } },
          lifeKeeper: { installerLocation: 'https://example.blob.core.windows.net/media/sps.img' },
        },
        {},
      );
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      expect(names).toContain(parsed.spec.keyVault.adminCredentialsSecretName);
      expect(names).toContain(parsed.spec.keyVault.postgresPasswordSecretName);
      expect(names).not.toContain(parsed.spec.lifeKeeper.licenseSecretName);
      const credentials = { kind, secretName: parsed.spec.keyVault.adminCredentialsSecretName };
      for (const generated of generatedSecrets(parsed.spec, credentials)) {
        expect(names).toContain(generated.secretName);
        if (generated.kind === 'sshKey') expect(names).toContain(GENERATED_SECRETS.publicKey(generated.secretName));
      }
    }
    expect(names).toContain(relayKeySecretName(SUB, 'LKL-QWK-storage'));
    expect(new Set(names).size).toBe(names.length);
  });
});
