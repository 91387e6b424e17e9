import { HttpError } from './errors.js';

// Request bodies. Kafka Connect (Jackson) answers unparseable bodies with 500, and clients written for
// it expect that, so the JSON parser here does the same. An empty body is accepted: `PUT .../pause`
// sent with a JSON content type and nothing in it is a normal call.

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new HttpError(500, `Cannot deserialize request body: ${(e as Error).message}`);
  }
}

/** A JSON object of config values: strings as they are, numbers/booleans as text, null kept (validation reports it). */
export function configMap(body: unknown): Record<string, string | null> {
  if (body === null || body === undefined || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(
      500,
      'Cannot deserialize request body: expected a JSON object of connector config values',
    );
  }
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (v === null) out[k] = null;
    else if (typeof v === 'object')
      throw new HttpError(500, `Cannot deserialize value of config '${k}': expected a string`);
    else out[k] = String(v);
  }
  return out;
}
