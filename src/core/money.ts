/**
 * Money is counted in integer micro-dollars (1 USD = 1,000,000): sums of decimal prices in floating
 * point drift (0.1 + 0.2), and a budget check must never be off by a rounding error.
 */
export type Micros = number;

const MICROS_PER_USD = 1_000_000;
const DECIMAL = /^\s*(\d+)(?:\.(\d*))?\s*$/;

/**
 * Parses a decimal USD amount ("0.56", "12", "0.0840") into micro-dollars, exactly; digits past the
 * sixth decimal round half up. Null for anything that is not a non-negative decimal.
 */
export function parseUsd(text: string | number): Micros | null {
  const source = typeof text === 'number' ? (Number.isFinite(text) && text >= 0 ? text.toFixed(9) : '') : text;
  const match = DECIMAL.exec(source);
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = (match[2] ?? '').padEnd(7, '0');
  let micros = whole * MICROS_PER_USD + Number(fraction.slice(0, 6));
  if (Number(fraction[6]) >= 5) micros += 1;
  return Number.isSafeInteger(micros) ? micros : null;
}

/** "$0.56", "$12.00"; amounts under a cent keep four decimals ("$0.0042") so they do not read as free. */
export function formatUsd(micros: Micros): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const decimals = abs > 0 && abs < 10_000 ? 4 : 2;
  const unit = 10 ** (6 - decimals);
  const rounded = Math.round(abs / unit);
  const whole = Math.floor(rounded / 10 ** decimals);
  const fraction = String(rounded % 10 ** decimals).padStart(decimals, '0');
  return `${sign}$${whole}.${fraction}`;
}

/** What `seconds` of video cost at `pricePerSecond`. */
export function costOf(pricePerSecond: Micros, seconds: number): Micros {
  return pricePerSecond * seconds;
}
