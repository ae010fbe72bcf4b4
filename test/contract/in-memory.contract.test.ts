import { InMemoryCrmConnector } from '../../src/crm/in-memory/in-memory-crm-connector.js';
import { describeCrmConnectorContract } from './crm-connector.contract.js';

describeCrmConnectorContract('in-memory', () => {
  const connector = new InMemoryCrmConnector();
  const type = 'contacts';
  return Promise.resolve({
    connector,
    objectType: type,
    editAsUser: (id, props) => Promise.resolve(void connector.editAsUser(type, id, props)),
    archive: (id) => Promise.resolve(connector.archive(type, id)),
    reset: () => Promise.resolve(connector.reset()),
    close: () => Promise.resolve(),
  });
});
