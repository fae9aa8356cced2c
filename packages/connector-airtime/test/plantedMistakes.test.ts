import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describePlantedMistakes } from '@relaypoint/simulator/contract';

describePlantedMistakes(
  'the contract suite on the airtime plugin with planted mistakes',
  join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'plantedMistakesContract.js'),
);
