import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { IngestError } from './errors.js';

/**
 * Compact JSON Schemas (draft-07) of the subset of each format that the readers rely on: every field
 * they read is type-checked here, so a reader never meets a half-formed object. Unknown fields are
 * allowed (all three formats are extensible); the full official schemas are not needed for that.
 */

const str = { type: 'string' } as const;
const nonEmpty = { type: 'string', minLength: 1 } as const;
const strings = { type: 'array', items: str } as const;
const line = { type: 'integer', minimum: 1 } as const;
const optionalIndex = { type: 'integer', minimum: -1 } as const;

const sarifMessage = {
  type: 'object',
  properties: { text: str, markdown: str, id: str, arguments: strings },
} as const;
const propertyBag = {
  type: 'object',
  properties: { tags: strings, 'security-severity': { type: ['string', 'number'] } },
} as const;
const stringMap = { type: 'object', additionalProperties: str } as const;
const sarifLevel = { enum: ['none', 'note', 'warning', 'error'] } as const;
const artifactLocation = {
  type: 'object',
  properties: { uri: str, uriBaseId: str, index: optionalIndex },
} as const;

const SARIF_SCHEMA = {
  type: 'object',
  required: ['version', 'runs'],
  properties: {
    version: { const: '2.1.0' },
    runs: { type: 'array', items: { $ref: '#/definitions/run' } },
  },
  definitions: {
    run: {
      type: 'object',
      required: ['tool'],
      properties: {
        tool: {
          type: 'object',
          required: ['driver'],
          properties: {
            driver: { $ref: '#/definitions/toolComponent' },
            extensions: { type: 'array', items: { $ref: '#/definitions/toolComponent' } },
          },
        },
        results: { type: ['array', 'null'], items: { $ref: '#/definitions/result' } },
        artifacts: {
          type: 'array',
          items: { type: 'object', properties: { location: artifactLocation } },
        },
        originalUriBaseIds: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { uri: str, uriBaseId: str } },
        },
      },
    },
    toolComponent: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', pattern: '\\S' },
        version: str,
        semanticVersion: str,
        rules: { type: 'array', items: { $ref: '#/definitions/rule' } },
      },
    },
    rule: {
      type: 'object',
      required: ['id'],
      properties: {
        id: nonEmpty,
        name: str,
        shortDescription: sarifMessage,
        fullDescription: sarifMessage,
        help: sarifMessage,
        helpUri: str,
        messageStrings: { type: 'object', additionalProperties: sarifMessage },
        defaultConfiguration: { type: 'object', properties: { level: sarifLevel } },
        properties: propertyBag,
      },
    },
    result: {
      type: 'object',
      required: ['message'],
      properties: {
        ruleId: nonEmpty,
        ruleIndex: optionalIndex,
        rule: {
          type: 'object',
          properties: {
            id: nonEmpty,
            index: optionalIndex,
            toolComponent: { type: 'object', properties: { index: optionalIndex, name: str } },
          },
        },
        kind: { enum: ['pass', 'open', 'informational', 'notApplicable', 'review', 'fail'] },
        level: sarifLevel,
        message: sarifMessage,
        locations: { type: 'array', items: { $ref: '#/definitions/location' } },
        partialFingerprints: stringMap,
        fingerprints: stringMap,
        baselineState: { enum: ['new', 'unchanged', 'updated', 'absent'] },
        suppressions: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kind'],
            properties: {
              kind: { enum: ['inSource', 'external'] },
              status: { enum: ['accepted', 'underReview', 'rejected'] },
            },
          },
        },
        fixes: {
          type: 'array',
          items: { type: 'object', properties: { description: sarifMessage } },
        },
        properties: propertyBag,
      },
    },
    location: {
      type: 'object',
      properties: {
        physicalLocation: {
          type: 'object',
          properties: {
            artifactLocation,
            region: {
              type: 'object',
              properties: {
                startLine: line,
                endLine: line,
                startColumn: line,
                endColumn: line,
                snippet: { type: 'object', properties: { text: str } },
              },
            },
          },
        },
        logicalLocations: {
          type: 'array',
          items: { type: 'object', properties: { name: str, fullyQualifiedName: str } },
        },
      },
    },
  },
} as const;

const RAMPART_SCHEMA = {
  type: 'object',
  required: ['schemaVersion', 'tool', 'findings'],
  properties: {
    schemaVersion: { const: '1' },
    tool: {
      type: 'object',
      required: ['name', 'version'],
      properties: { name: { const: 'rampart' }, version: nonEmpty },
    },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['scanner', 'ruleId', 'title', 'message', 'severity', 'fingerprint'],
        properties: {
          scanner: nonEmpty,
          ruleId: nonEmpty,
          title: str,
          message: str,
          severity: { enum: ['critical', 'high', 'medium', 'low', 'info'] },
          fingerprint: { type: 'string', minLength: 8 },
          location: {
            type: 'object',
            required: ['path'],
            properties: {
              path: nonEmpty,
              startLine: line,
              endLine: line,
              startColumn: line,
              endColumn: line,
            },
          },
          package: {
            type: 'object',
            required: ['name'],
            properties: { ecosystem: str, name: nonEmpty, version: str, purl: str, path: str, line },
          },
          resource: { type: 'object', properties: { path: str, line } },
          evidence: str,
          remediation: str,
          references: strings,
          cwe: strings,
          suppressed: { type: 'object' },
        },
      },
    },
  },
} as const;

const cdxTool = { type: 'object', properties: { name: str, version: str, vendor: str } } as const;

const CYCLONEDX_SCHEMA = {
  type: 'object',
  required: ['bomFormat', 'specVersion'],
  properties: {
    bomFormat: { const: 'CycloneDX' },
    specVersion: { enum: ['1.4', '1.5', '1.6'] },
    metadata: {
      type: 'object',
      properties: {
        tools: {
          anyOf: [
            { type: 'array', items: cdxTool },
            { type: 'object', properties: { components: { type: 'array', items: cdxTool } } },
          ],
        },
        component: { $ref: '#/definitions/component' },
      },
    },
    components: { type: 'array', items: { $ref: '#/definitions/component' } },
    vulnerabilities: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: {
          id: nonEmpty,
          source: { type: 'object', properties: { name: str, url: str } },
          ratings: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                score: { type: 'number' },
                severity: { enum: ['critical', 'high', 'medium', 'low', 'info', 'none', 'unknown'] },
              },
            },
          },
          cwes: { type: 'array', items: { type: 'integer', minimum: 1 } },
          description: str,
          detail: str,
          recommendation: str,
          advisories: { type: 'array', items: { type: 'object', properties: { url: str } } },
          affects: {
            type: 'array',
            items: { type: 'object', required: ['ref'], properties: { ref: nonEmpty } },
          },
          analysis: {
            type: 'object',
            properties: {
              state: {
                enum: [
                  'resolved',
                  'resolved_with_pedigree',
                  'exploitable',
                  'in_triage',
                  'false_positive',
                  'not_affected',
                ],
              },
            },
          },
        },
      },
    },
  },
  definitions: {
    component: {
      type: 'object',
      required: ['name'],
      properties: {
        'bom-ref': str,
        name: nonEmpty,
        group: str,
        version: str,
        purl: str,
        properties: {
          type: 'array',
          items: { type: 'object', required: ['name'], properties: { name: str, value: str } },
        },
        components: { type: 'array', items: { $ref: '#/definitions/component' } },
      },
    },
  },
} as const;

export type SchemaName = 'sarif' | 'rampart' | 'cyclonedx';
const LABEL: Record<SchemaName, string> = {
  sarif: 'SARIF',
  rampart: 'Rampart report',
  cyclonedx: 'CycloneDX',
};
const SCHEMAS: Record<SchemaName, object> = {
  sarif: SARIF_SCHEMA,
  rampart: RAMPART_SCHEMA,
  cyclonedx: CYCLONEDX_SCHEMA,
};

let ajv: Ajv | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

function validator(name: SchemaName): ValidateFunction {
  const hit = compiled.get(name);
  if (hit) return hit;
  ajv ??= new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
  const fn = ajv.compile(SCHEMAS[name]);
  compiled.set(name, fn);
  return fn;
}

/** Throws an IngestError naming the first JSON path that does not fit the format's subset. */
export function assertShape(name: SchemaName, doc: unknown): void {
  const validate = validator(name);
  if (validate(doc)) return;
  const first = validate.errors?.[0];
  throw new IngestError(`${LABEL[name]} ${first ? describe(first) : 'does not have the expected shape'}`);
}

function describe(e: ErrorObject): string {
  const where = e.instancePath || '/';
  const params = e.params as { missingProperty?: string; allowedValues?: unknown; allowedValue?: unknown };
  if (e.keyword === 'required') return `${where === '/' ? '' : where}/${params.missingProperty}: is required`;
  const allowed =
    e.keyword === 'enum'
      ? ` (${JSON.stringify(params.allowedValues)})`
      : e.keyword === 'const'
        ? ` (${JSON.stringify(params.allowedValue)})`
        : '';
  return `${where}: ${e.message ?? e.keyword}${allowed}`;
}
