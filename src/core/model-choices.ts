import { formatUsd } from './money.js';
import type { ModelCatalogPort } from './ports/models.js';
import type { PricePort } from './ports/price.js';
import type { TextFormat } from './render-text.js';
import { durationChoices, type ModelProfile, SHAPES, type Shape } from './video-models.js';

/** One model as a picker shows it. */
export interface ModelChoice {
  id: string;
  /** "Veo 3.1 · $0.20/s · sound yes ($0.40/s)": name, price per second, whether it makes sound. */
  label: string;
  durations: number[];
  defaultDuration: number;
  sound: boolean;
}

/** The price of a second of `model` in words, or null when no price is known. */
function perSecond(price: PricePort | undefined, model: string, sound: boolean): string | null {
  const quote = price?.current({ model, sound });
  return quote ? `${formatUsd(quote.perSecond)}/s` : null;
}

/** The picker's label of a model: its name, its price per second, and sound yes or no (with its price). */
export function modelLabel(profile: ModelProfile, price?: PricePort): string {
  const plain = perSecond(price, profile.id, false);
  const withSound = profile.sound ? perSecond(price, profile.id, true) : null;
  const sound = profile.sound ? `sound yes${withSound && withSound !== plain ? ` (${withSound})` : ''}` : 'sound no';
  return [profile.name, plain, sound].filter(Boolean).join(' · ');
}

/** Every model on offer as a picker shows it, the default first. */
export function modelChoices(models: ModelCatalogPort, price?: PricePort): ModelChoice[] {
  return models.list().map((profile) => ({
    id: profile.id,
    label: modelLabel(profile, price),
    durations: durationChoices(profile.durations),
    defaultDuration: profile.defaultDuration,
    sound: profile.sound !== null,
  }));
}

/** How each shape reads in a picker. */
export const SHAPE_LABELS: Record<Shape, string> = {
  original: 'Original (as the image)',
  '16:9': 'Landscape 16:9',
  '9:16': 'Portrait 9:16',
  '1:1': 'Square 1:1',
};

/** The shapes in picker order, with their labels. */
export const SHAPE_CHOICES = SHAPES.map((value) => ({ value, label: SHAPE_LABELS[value] }));

/**
 * The models on offer as a help lists them, one a line: name, id (what a typed `model:` takes), price per
 * second with and without sound, and the lengths it takes.
 */
export function renderModelList(models: ModelChoice[], format: Pick<TextFormat, 'bold' | 'escape'>): string {
  const lines = models.map(
    (m, i) =>
      `• ${format.escape(m.label)} · ${m.durations.length > 6 ? `${m.durations[0]}–${m.durations.at(-1)}` : m.durations.join(', ')} s · ${format.bold(format.escape(`model:${m.id}`))}${i === 0 ? ' (the default)' : ''}`,
  );
  return [format.bold('Models'), ...lines].join('\n');
}
