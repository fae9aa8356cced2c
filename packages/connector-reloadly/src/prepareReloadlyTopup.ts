import { ErrorCodes, ValidationError, type IssueRequest } from '@relaypoint/core';
import type { ReloadlyConnectorConfig } from './config.types.js';
import type { SentTerms } from './readReloadlyTopup.js';
import { toReloadlyPhone, type ReloadlyPhone } from './toReloadlyPhone.js';

/** A top-up ready to send: its JSON text and what it says. */
export interface PreparedTopup {
  json: string;
  sent: SentTerms;
  useLocalAmount: boolean;
}

/**
 * The top-up body, with the amount written as a JSON number straight from
 * the exact decimal (`"amount":5.00`): Reloadly takes a number, and no
 * float arithmetic ever touches it. Refuses, before anything is sent, an
 * operator or currency the config cannot place.
 */
export function prepareReloadlyTopup(
  req: IssueRequest,
  operators: NonNullable<ReloadlyConnectorConfig['operators']>,
  accountCurrency: string,
): PreparedTopup {
  const mapped = operators[req.productId];
  const operatorId = mapped?.operatorId ?? (/^[1-9]\d{0,9}$/.test(req.productId) ? Number(req.productId) : undefined);
  if (operatorId === undefined) {
    throw new ValidationError(
      ErrorCodes.PROVIDER_INVALID_PRODUCT,
      'productId',
      `product "${req.productId}" is neither a Reloadly operatorId nor in the connector's operators map`,
    );
  }
  let useLocalAmount: boolean;
  if (req.amount.currency === accountCurrency) useLocalAmount = false;
  else if (mapped?.localCurrency === req.amount.currency) useLocalAmount = true;
  else {
    throw new ValidationError(
      ErrorCodes.PROVIDER_INVALID_PRODUCT,
      'currency',
      `reloadly top-ups are in the wallet currency (${accountCurrency}) or the operator's local currency${mapped?.localCurrency ? ` (${mapped.localCurrency})` : ' (none configured for this product)'}, not ${req.amount.currency}`,
    );
  }
  if (!req.phoneNumber)
    throw new ValidationError(ErrorCodes.INVALID_PHONE_NUMBER, 'phoneNumber', 'a Reloadly top-up needs the recipient phone number');
  const country = req.metadata?.recipientCountryCode ?? mapped?.countryCode;
  const recipientPhone: ReloadlyPhone = toReloadlyPhone(req.phoneNumber, country);
  const head = JSON.stringify({ operatorId, useLocalAmount, customIdentifier: req.reference, recipientPhone });
  return {
    json: `${head.slice(0, -1)},"amount":${req.amount.decimal}}`,
    sent: { operatorId, number: recipientPhone.number },
    useLocalAmount,
  };
}
