/** Activity: a deployment or drill puts its cluster into maintenance and silences it (shared/monitoring/maintenance). */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { beginMaintenance, type MaintenanceRequest } from '../../shared/monitoring/maintenance';
import { ACTIVITIES } from '../../shared/names';
import { maintenanceDeps } from '../../shared/monitoring/monitoringServices';

const handler: ActivityHandler = (input: MaintenanceRequest) => beginMaintenance(input, maintenanceDeps());

df.app.activity(ACTIVITIES.beginMaintenance, { handler });
