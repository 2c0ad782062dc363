/**
 * The paging pipeline's dependencies in the running app: the tables, the registry, Key Vault, the delivery queue
 * (base64 messages, as the Functions host reads them) and HTTPS with the configured CA.
 */
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { azureClients } from '../azure/clients';
import { appConfig, ConfigError, pagingConfig, SETTINGS } from '../config';
import { QUEUES } from '../names';
import { clusterRegistry } from '../registry/clusterRegistry';
import { readSecretIfExists } from '../secrets/credentialStore';
import type { DeliveryMessage, PipelineDeps } from './pipeline';
import { sendNotification } from './send';
import { pagingStore } from './store';

/** Longest visibility delay Azure Queues accept (7 days). */
const MAX_VISIBILITY_SECONDS = 7 * 24 * 3600;

function queue(name: string): () => Promise<QueueClient> {
  let client: Promise<QueueClient> | undefined;
  return () =>
    (client ??= (async () => {
      const conn = appConfig().storageConnection;
      if (!conn) throw new ConfigError(`${SETTINGS.storage} is not set`);
      const q = QueueServiceClient.fromConnectionString(conn).getQueueClient(name);
      await q.createIfNotExists();
      return q;
    })().catch((err: unknown) => {
      client = undefined;
      throw err;
    }));
}

const deliveries = queue(QUEUES.notificationDeliveries);
const poison = queue(QUEUES.notificationDeliveriesPoison);

const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

let deps: PipelineDeps | undefined;
/** The process-wide pipeline dependencies. `log` defaults to the console. */
export function pipelineDeps(log: (message: string) => void = (m) => console.log(m)): PipelineDeps {
  deps ??= {
    store: pagingStore(),
    registry: clusterRegistry(),
    secret: (name) => readSecretIfExists(azureClients().secrets(), name),
    enqueue: async (msg: DeliveryMessage, delayMs: number) => {
      const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));
      await (await deliveries()).sendMessage(encode(msg), { visibilityTimeout: seconds, messageTimeToLive: -1 });
    },
    poison: async (msg) => {
      await (await poison()).sendMessage(encode(msg), { messageTimeToLive: -1 });
    },
    send: (req) => sendNotification(req, { caPem: appConfig().caPem }),
    config: pagingConfig(),
    now: () => new Date(),
    log,
  };
  return { ...deps, log };
}
