/** Activity: ends the maintenance and silence a deployment or drill put on its cluster (idempotent). */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { endMaintenance, type MaintenanceRequest } from '../../shared/monitoring/maintenance';
import { ACTIVITIES } from '../../shared/names';
import { maintenanceDeps } from '../../shared/monitoring/monitoringServices';

const handler: ActivityHandler = (input: MaintenanceRequest) => endMaintenance(input, maintenanceDeps());

df.app.activity(ACTIVITIES.endMaintenance, { handler });
