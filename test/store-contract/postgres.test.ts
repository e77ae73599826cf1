import { expect } from 'vitest';

import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { testSchema } from '../helpers/pg-schema.js';
import { describeAlertsContract } from './alerts-contract.js';
import { describeCallsContract } from './calls-contract.js';
import { describeStoreContract } from './contract.js';
import { describeDeliveryContract } from './delivery-contract.js';
import { describeInstallationContract } from './installation-contract.js';
import { describePeopleContract } from './people-contract.js';
import { describeReconcileContract } from './reconcile-contract.js';
import { describeRetentionContract } from './retention-contract.js';

// One schema per test: each location is a fresh schema, migrated when first opened.
const location = async () => {
  const { url } = testSchema(expect.getState().currentTestName ?? 'postgres');
  return { open: () => createPostgresStore({ url, poolSize: 4 }) };
};

describeStoreContract('postgres', location);
describeCallsContract('postgres', location);
describeDeliveryContract('postgres', location);
describeReconcileContract('postgres', location);
describePeopleContract('postgres', location);
describeAlertsContract('postgres', location);
describeRetentionContract('postgres', location);
describeInstallationContract('postgres', location);
