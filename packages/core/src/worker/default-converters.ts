import type { Converter, HeaderConverter } from '../convert/api.js';
import type { ConverterFactory } from './converters.js';

// The converter registry of ../convert (createConverter), loaded when the worker starts.
// PROVISIONAL: ../convert/index.ts is being written in parallel; once it exports createConverter this
// becomes a static import.

interface ConvertModule {
  createConverter(className: string): Converter | HeaderConverter;
  converterClassNames?: () => { converters: string[]; headerConverters: string[] };
}

let loaded: ConvertModule | null = null;

export async function loadConverterRegistry(): Promise<void> {
  const spec = '../convert/index.js';
  loaded = (await import(spec)) as ConvertModule;
}

export const defaultConverterFactory: ConverterFactory = (className) => {
  if (!loaded) throw new Error('The converter registry is not loaded');
  return loaded.createConverter(className);
};

export function knownConverterClasses(): string[] {
  return loaded?.converterClassNames?.().converters ?? [];
}

export function knownHeaderConverterClasses(): string[] {
  return loaded?.converterClassNames?.().headerConverters ?? [];
}
