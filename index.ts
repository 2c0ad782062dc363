/**
 * The app's entry point (package.json "main"): loading it registers every function with @azure/functions,
 * exactly as the Azure Functions Node worker loads it in Azure.
 */
import './functions/deploymentsCreate';
import './functions/deploymentsGet';
import './functions/deploymentsList';
import './functions/deploymentsCancel';
import './functions/deploymentsRetry';
import './functions/clustersDelete';
import './functions/qwkIngest';
import './functions/alertsPost';
import './functions/clustersList';
import './functions/clustersGet';
import './functions/monitorSweep';
import './functions/monitorShard';
import './orchestrations/deployCluster';
import './orchestrations/configureNode';
import './orchestrations/teardownCluster';
import './orchestrations/failoverDrill';
import './orchestrations/activities/ensureAdminCredential';
import './orchestrations/activities/provisionResource';
import './orchestrations/activities/verifyDeployment';
import './orchestrations/activities/readVmFacts';
import './orchestrations/activities/runConfigBatch';
import './orchestrations/activities/readClusterRegistration';
import './orchestrations/activities/restartVm';
import './orchestrations/activities/probeVm';
import './orchestrations/activities/registerCluster';
import './orchestrations/activities/ensureAlertRules';
import './orchestrations/activities/deregisterCluster';
import './orchestrations/activities/deleteResourceGroup';
import './orchestrations/activities/probeResourceGroup';
import './orchestrations/activities/deleteClusterSecrets';
import './orchestrations/activities/beginMaintenance';
import './orchestrations/activities/endMaintenance';
import './functions/pagingTransitions';
import './functions/pagingDeliveries';
import './functions/pagingSweep';
import './functions/clusterSilences';
import './functions/clusterTestPage';
import './functions/reportsTimer';
import './functions/reportsCreate';
import './functions/reportsList';
import './functions/reportsGet';
import './functions/clusterReport';
import './functions/drillsCreate';
import './functions/drillsGet';
