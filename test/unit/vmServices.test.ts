/** Which unit files the simulator runs as real processes, and how it reads them (vm/services.ts parseUnit). */
import { describe, expect, it } from 'vitest';
import { parseUnit } from '../../local/azure-sim/vm/services';
import { relayUnitFile } from '../../shared/scripts';

describe('parseUnit', () => {
  it("reads the relay's unit: program, restart policy, directories, umask", () => {
    expect(parseUnit(relayUnitFile())).toEqual({
      execStart: ['/usr/local/sbin/qwk-relay', '/etc/qwk-relay/relay.conf'],
      restart: 'on-failure',
      restartSec: 5,
      runtimeDirectory: 'qwk-relay',
      stateDirectory: 'qwk-relay',
      umask: '0077',
      environment: {},
    });
  });

  it('leaves the package units the stubs model (ExecStart=/bin/true) to the stubs', () => {
    expect(parseUnit('[Unit]\nDescription=NFS\n\n[Service]\nType=simple\nExecStart=/bin/true\n')).toBeUndefined();
    expect(parseUnit('[Unit]\nDescription=no service section\n')).toBeUndefined();
  });

  it('takes Environment=, quoted words, a "-" prefix, Restart=always, RestartSec with a unit, and defaults', () => {
    expect(
      parseUnit(
        '[Service]\nEnvironment="A=1 2" B=3\nExecStart=-/usr/bin/prog "two words" x\nRestart=always\nRestartSec=2s\n',
      ),
    ).toEqual({
      execStart: ['/usr/bin/prog', 'two words', 'x'],
      restart: 'always',
      restartSec: 2,
      environment: { A: '1 2', B: '3' },
    });
    expect(parseUnit('[Service]\nExecStart=/usr/bin/prog\n')).toMatchObject({ restart: 'no', restartSec: 0.1 });
  });
});
