import { toMinorUnits } from '@relaypoint/core';

/**
 * Reads a wire amount exactly into minor units: a decimal string (`"5.00"`)
 * or a JSON number (`5`, `5.5`). A number is read from its shortest
 * round-trip decimal form (`String(5.1) === "5.1"`), which is the literal the
 * client wrote for any amount with up to 15 significant digits, so no binary
 * float arithmetic ever touches the value. Returns undefined when the amount
 * is not a positive, plain decimal with at most the currency's decimals.
 */
export function parseAmount(value: unknown, currency: string): bigint | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return undefined;
  try {
    const minor = toMinorUnits(text, currency);
    return minor > 0n ? minor : undefined;
  } catch {
    return undefined;
  }
}
