import { describe, expect, it } from 'vitest';
import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite } from '../../local/azurite';

describe('startAzurite', () => {
  it('starts on free ports and serves the queue API', async () => {
    const azurite = await startAzurite();
    try {
      expect(azurite.queuePort).toBeGreaterThan(0);
      const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
      await queues.createQueue('probe');
      const names: string[] = [];
      for await (const q of queues.listQueues()) names.push(q.name);
      expect(names).toContain('probe');
    } finally {
      await azurite.stop();
    }
  });
});
