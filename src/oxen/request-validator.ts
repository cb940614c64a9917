import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * Validates a model's body against its live `request_schema` with Ajv 8 (chosen over hand-written
 * checks and over @cfworker/json-schema: Ajv is the maintained reference validator and compiles each
 * schema once). Oxen's schemas carry their own keywords (`x-order`, `renderType`, `basic`), so strict
 * mode is off, and `format` is not checked: the links are only staged after the check.
 */
export function createRequestValidator(): (
  schema: Record<string, unknown>,
  body: Record<string, unknown>,
) => string | null {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
  const compiled = new WeakMap<object, ValidateFunction | null>();
  return (schema, body) => {
    let validate = compiled.get(schema);
    if (validate === undefined) {
      try {
        validate = ajv.compile(schema);
      } catch {
        // A schema Ajv cannot compile checks nothing; Oxen's own answer then refuses what it refuses.
        validate = null;
      }
      compiled.set(schema, validate);
    }
    if (!validate || validate(body)) return null;
    return (validate.errors ?? []).map(describe).join('; ');
  };
}

/** One Ajv error in words: "duration must be one of 4, 6, 8". */
function describe(error: ErrorObject): string {
  const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'the request';
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  if (allowed) return `${field} must be one of ${allowed.map(String).join(', ')}`;
  if (error.keyword === 'additionalProperties') {
    return `${field} has no field ${(error.params as { additionalProperty?: string }).additionalProperty}`;
  }
  return `${field} ${error.message ?? 'is not accepted'}`;
}
