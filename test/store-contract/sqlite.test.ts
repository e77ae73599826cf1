import path from 'node:path';

import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { describeAlertsContract } from './alerts-contract.js';
import { describeCallsContract } from './calls-contract.js';
import { describeStoreContract } from './contract.js';
import { describeDeliveryContract } from './delivery-contract.js';
import { describeInstallationContract } from './installation-contract.js';
import { describePeopleContract } from './people-contract.js';
import { describeReconcileContract } from './reconcile-contract.js';
import { describeRetentionContract } from './retention-contract.js';

describeStoreContract('sqlite', async () => {
  const file = path.join(tempDir(), 'telehook.db');
  return { open: async () => createSqliteStore({ file }) };
});

describeCallsContract('sqlite', async () => {
  const file = path.join(tempDir(), 'telehook.db');
  return { open: async () => createSqliteStore({ file }) };
});

describeDeliveryContract('sqlite', async () => {
  const file = path.join(tempDir(), 'telehook.db');
  return { open: async () => createSqliteStore({ file }) };
});

describeReconcileContract('sqlite', async () => {
  const file = path.join(tempDir(), 'telehook.db');
  return { open: async () => createSqliteStore({ file }) };
});

describePeopleContract('sqlite', async () => {
  const file = path.join(tempDir(), 'telehook.db');
  return { open: async () => createSqliteStore({ file }) };
});

describeAlertsContract('sqlite', async () => {
  const file = path.join(tempDir(), 'telehook.db');
  return { open: async () => createSqliteStore({ file }) };
});

describeRetentionContract('sqlite', async () => {
  const file = path.join(tempDir(), 'telehook.db');
  return { open: async () => createSqliteStore({ file }) };
});

describeInstallationContract('sqlite', async () => {
  const file = path.join(tempDir(), 'telehook.db');
  return { open: async () => createSqliteStore({ file }) };
});
