// The two ways a plan's JSON Schemas are turned into checks. ajv generates a function per
// schema (fast: ~0.2 µs an event in bench/request-costs.ts) but needs code generation from
// strings, which Cloudflare Workers forbid; there @cfworker/json-schema interprets the schema.
import { Validator } from '@cfworker/json-schema';
import type { ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

/** A schema's mistake (`path` a JSON pointer inside the schema) or a value's (inside the value). */
export interface SchemaIssue {
  path: string;
  message: string;
}

/** Checks one value against a compiled schema: its issues, or none. */
export type ValueCheck = (value: unknown) => SchemaIssue[];

/** Compiles the schemas of one plan. */
export interface SchemaValidators {
  /** What is wrong with `schema` itself (none: it can be compiled). */
  checkSchema(schema: unknown): SchemaIssue[];
  /** The check of `schema`; throws when it cannot be compiled. */
  compile(schema: unknown): ValueCheck;
}

/** ajv where code generation works, the interpreter where it does not (Workers). */
export function schemaValidators(): SchemaValidators {
  return codeGenerationAllowed() ? ajvValidators() : interpretedValidators();
}

let allowed: boolean | undefined;

function codeGenerationAllowed(): boolean {
  if (allowed === undefined) {
    try {
      allowed = new Function('return true')() === true;
    } catch {
      allowed = false;
    }
  }
  return allowed;
}

/** ajv, one instance per plan: `$id`s of one plan cannot clash with another's. */
export function ajvValidators(): SchemaValidators {
  // Strict: a misspelt keyword or format is an error at load, not a schema that quietly
  // accepts everything. Type hints are not demanded: `properties` and `traits` are objects.
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
  });
  formats.default(ajv);
  return {
    checkSchema(schema) {
      if (ajv.validateSchema(schema as object)) return [];
      // The meta-schema reports one mistake several ways (an enum, then its anyOf): the first.
      const seen = new Set<string>();
      const issues: SchemaIssue[] = [];
      for (const e of ajv.errors ?? []) {
        if (seen.has(e.instancePath)) continue;
        seen.add(e.instancePath);
        const message = e.params.allowedValues
          ? `${e.message}: ${(e.params.allowedValues as unknown[]).join(', ')}`
          : (e.message ?? 'invalid');
        issues.push({ path: e.instancePath, message });
      }
      return issues;
    },
    compile(schema) {
      const validate = ajv.compile(schema as object);
      return (value) => (validate(value) ? [] : ajvIssues(validate.errors));
    },
  };
}

function ajvIssues(errors: ErrorObject[] | null | undefined): SchemaIssue[] {
  return (errors ?? []).map((e) => ({ path: e.instancePath, message: e.message ?? 'is invalid' }));
}

/**
 * @cfworker/json-schema (draft 2020-12). It has no meta-schema: a schema is only checked to be
 * an object or a boolean, so `sluice plan check` (ajv, strict) is the check to run before deploy.
 */
export function interpretedValidators(): SchemaValidators {
  return {
    checkSchema(schema) {
      return typeof schema === 'boolean' || (typeof schema === 'object' && schema !== null)
        ? []
        : [{ path: '', message: 'must be a JSON Schema (an object or a boolean)' }];
    },
    compile(schema) {
      const validator = new Validator(schema as object, '2020-12', false);
      return (value) => {
        const { valid, errors } = validator.validate(value);
        if (valid) return [];
        // Each failing keyword is reported with every keyword that contains it: keep the
        // innermost ones, which name the value that is wrong.
        return errors
          .filter(
            (e) =>
              !errors.some(
                (other) => other !== e && other.keywordLocation.startsWith(`${e.keywordLocation}/`),
              ),
          )
          .map((e) => ({ path: e.instanceLocation.replace(/^#/, ''), message: e.error }));
      };
    },
  };
}
