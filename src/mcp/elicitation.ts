// elicitation/create <-> the plain ElicitationRequest / ElicitationResponse the Slack side works with.
// A form's restricted JSON Schema becomes an ordered list of fields with their kind spelled out (enum,
// multi-enum), so a front end can build inputs without reading JSON Schema.
import type { ElicitRequest, ElicitResult, PrimitiveSchemaDefinition } from '@modelcontextprotocol/sdk/types.js';
import type { ChoiceOption, ElicitationField, ElicitationRequest, ElicitationResponse, ElicitationValue } from './types.js';

export function toElicitationRequest(server: string, params: ElicitRequest['params']): ElicitationRequest {
  if (params.mode === 'url') {
    return { mode: 'url', server, message: params.message, url: params.url, elicitationId: params.elicitationId };
  }
  const required = new Set(params.requestedSchema.required ?? []);
  const fields = Object.entries(params.requestedSchema.properties).map(([name, schema]) => toField(name, schema, required.has(name)));
  return { mode: 'form', server, message: params.message, fields };
}

function toField(name: string, schema: PrimitiveSchemaDefinition, required: boolean): ElicitationField {
  const base = {
    name,
    required,
    ...(schema.title === undefined ? {} : { title: schema.title }),
    ...(schema.description === undefined ? {} : { description: schema.description }),
  };
  switch (schema.type) {
    case 'boolean':
      return { ...base, type: 'boolean', ...(schema.default === undefined ? {} : { default: schema.default }) };
    case 'number':
    case 'integer':
      return {
        ...base,
        type: schema.type,
        ...(schema.default === undefined ? {} : { default: schema.default }),
        ...(schema.minimum === undefined ? {} : { minimum: schema.minimum }),
        ...(schema.maximum === undefined ? {} : { maximum: schema.maximum }),
      };
    case 'array': {
      const options: ChoiceOption[] =
        'enum' in schema.items
          ? schema.items.enum.map((value) => ({ value, label: value }))
          : schema.items.anyOf.map((option) => ({ value: option.const, label: option.title }));
      return {
        ...base,
        type: 'multi-enum',
        options,
        ...(schema.default === undefined ? {} : { default: schema.default }),
        ...(schema.minItems === undefined ? {} : { minItems: schema.minItems }),
        ...(schema.maxItems === undefined ? {} : { maxItems: schema.maxItems }),
      };
    }
    case 'string': {
      const fallback = schema.default === undefined ? {} : { default: schema.default };
      if ('oneOf' in schema) {
        return { ...base, type: 'enum', options: schema.oneOf.map((o) => ({ value: o.const, label: o.title })), ...fallback };
      }
      if ('enum' in schema) {
        // The legacy form names its options in a parallel enumNames list.
        const names = 'enumNames' in schema ? schema.enumNames : undefined;
        return { ...base, type: 'enum', options: schema.enum.map((value, i) => ({ value, label: names?.[i] ?? value })), ...fallback };
      }
      return {
        ...base,
        type: 'string',
        ...fallback,
        ...(schema.format === undefined ? {} : { format: schema.format }),
        ...(schema.minLength === undefined ? {} : { minLength: schema.minLength }),
        ...(schema.maxLength === undefined ? {} : { maxLength: schema.maxLength }),
      };
    }
  }
}

export function toElicitResult(response: ElicitationResponse): ElicitResult {
  if (response.action !== 'accept') return { action: response.action };
  return response.content === undefined ? { action: 'accept' } : { action: 'accept', content: { ...response.content } };
}

/**
 * What is wrong with `content` for a form, by field name, in words for people; empty when nothing is.
 * For front ends that validate before answering (a Slack modal can show these next to the inputs).
 */
export function checkElicitationContent(fields: ElicitationField[], content: Record<string, ElicitationValue | undefined>): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const field of fields) {
    const value = content[field.name];
    const problem = value === undefined || value === '' ? (field.required ? 'is required' : undefined) : checkValue(field, value);
    if (problem) problems[field.name] = problem;
  }
  return problems;
}

function checkValue(field: ElicitationField, value: ElicitationValue): string | undefined {
  switch (field.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be yes or no';
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (field.type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
      if (field.minimum !== undefined && value < field.minimum) return `must be at least ${field.minimum}`;
      if (field.maximum !== undefined && value > field.maximum) return `must be at most ${field.maximum}`;
      return undefined;
    }
    case 'enum':
      return typeof value === 'string' && field.options.some((o) => o.value === value) ? undefined : 'must be one of the choices';
    case 'multi-enum': {
      if (!Array.isArray(value) || !value.every((v) => field.options.some((o) => o.value === v))) return 'must be among the choices';
      if (field.minItems !== undefined && value.length < field.minItems) return `needs at least ${field.minItems}`;
      if (field.maxItems !== undefined && value.length > field.maxItems) return `takes at most ${field.maxItems}`;
      return undefined;
    }
    case 'string': {
      if (typeof value !== 'string') return 'must be text';
      if (field.minLength !== undefined && value.length < field.minLength) return `needs at least ${field.minLength} characters`;
      if (field.maxLength !== undefined && value.length > field.maxLength) return `takes at most ${field.maxLength} characters`;
      return checkFormat(field.format, value);
    }
  }
}

function checkFormat(format: string | undefined, value: string): string | undefined {
  switch (format) {
    case 'email':
      return /^[^\s@]+@[^\s@]+$/.test(value) ? undefined : 'must be an email address';
    case 'uri':
      return URL.canParse(value) ? undefined : 'must be a full address (https://...)';
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : 'must be a date (YYYY-MM-DD)';
    case 'date-time':
      return Number.isNaN(Date.parse(value)) ? 'must be a date and time' : undefined;
    default:
      return undefined;
  }
}
