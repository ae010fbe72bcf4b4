import { HubSpotEmulator } from '../../emulators/hubspot/hubspot-emulator.js';
import { HubSpotCrmConnector } from '../../src/crm/hubspot/hubspot-crm-connector.js';
import { describeCrmConnectorContract } from './crm-connector.contract.js';

describeCrmConnectorContract('HubSpot (emulator, real SDK)', async () => {
  const emu = new HubSpotEmulator({ tenSecondBudget: 190 });
  const base = await emu.start(0);
  const type = 'contacts';
  const connector = new HubSpotCrmConnector({
    accessToken: 'pat-na1-test',
    apiBase: new URL(base),
    tenSecondBudget: 190,
  });
  return {
    connector,
    objectType: type,
    editAsUser: (id, props) => Promise.resolve(void emu.editAsUser(type, id, props)),
    archive: (id) => Promise.resolve(emu.objects.archive(type, emu.objects.require(type, id))),
    reset: () => Promise.resolve(emu.reset()),
    close: () => emu.stop(),
  };
});
