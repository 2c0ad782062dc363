import { it } from 'vitest';
import * as fs from 'node:fs';
import { Sandbox } from '../../local/azure-sim/vm/sandbox';
import { seedVm } from './vm-cluster-fixture';
it('overhead', async () => {
  fs.rmSync('/tmp/ovh', { recursive: true, force: true });
  const sb = new Sandbox('/tmp/ovh', seedVm('o', ['10.1.1.4'], 1, 'rg'));
  let t = Date.now(); await sb.create(); const c = Date.now() - t;
  t = Date.now(); await sb.boot(); const b = Date.now() - t;
  fs.writeFileSync(sb.hostPath('/root/t.sh'), 'true\n');
  const times: number[] = [];
  for (let i = 0; i < 20; i++) { t = Date.now(); await sb.run('/root/t.sh', '/', 10000, 4096); times.push(Date.now() - t); }
  fs.writeFileSync(sb.hostPath('/root/t2.sh'), 'systemctl is-active sshd\n');
  const t2: number[] = [];
  for (let i = 0; i < 10; i++) { t = Date.now(); await sb.run('/root/t2.sh', '/', 10000, 4096); t2.push(Date.now() - t); }
  times.sort((x, y) => x - y); t2.sort((x, y) => x - y);
  console.log('create', c, 'boot', b, 'run(true) median', times[10], 'min', times[0], 'max', times[19], 'stub call median', t2[5] - times[10]);
});
