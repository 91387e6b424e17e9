import { createConverter, createHeaderConverter, KNOWN_CONVERTER_CLASSES } from '../convert/index.js';
import type { ConverterFactory } from './converters.js';

// Converters come from ../convert's registry: Kafka's and Confluent's class names, or short names.
export const defaultConverterFactory: ConverterFactory = (className, kind) =>
  kind === 'header'
    ? createHeaderConverter(className, 'header.converter')
    : createConverter(className, `${kind}.converter`);

/** Classes usable as key/value converters, for `/connector-plugins?connectorsOnly=false`. */
export function knownConverterClasses(): string[] {
  return KNOWN_CONVERTER_CLASSES.filter((c) => !c.endsWith('SimpleHeaderConverter'));
}

/** Kafka lists every converter as a header converter too (they implement both interfaces). */
export function knownHeaderConverterClasses(): string[] {
  return [...KNOWN_CONVERTER_CLASSES];
}
