import type { AvroDataConfig } from './avro-data-config.js';
import { GENERALIZED_TYPE_UNION_FIELD_PREFIX } from './avro-names.js';
import type { AvroNode } from './avro-schema-model.js';

// An Avro union reads as a Connect STRUCT with one optional field per non-null branch, in branch
// order. The field names are Confluent's: the branch's type name (`int`, `string`, `array`…), the
// simple name of a record/enum/fixed (its full name with enhanced.avro.schema.support), or
// `connect_union_field_<branch index>` with generalized.sum.type.support.

export function unionMemberFieldName(branch: AvroNode, index: number, config: AvroDataConfig): string {
  if (config.generalizedSumTypeSupport) return `${GENERALIZED_TYPE_UNION_FIELD_PREFIX}${index}`;
  switch (branch.kind) {
    case 'record':
    case 'enum':
    case 'fixed':
      return config.enhancedSchemaSupport ? branch.fullName : branch.name;
    case 'primitive':
      return branch.type;
    case 'array':
    case 'map':
      return branch.kind;
    case 'union':
      return 'union';
  }
}

export function isNullBranch(node: AvroNode): boolean {
  return node.kind === 'primitive' && node.type === 'null';
}

/** The non-null branches of a union with their positions in it. */
export function nonNullBranches(branches: readonly AvroNode[]): { node: AvroNode; index: number }[] {
  const out: { node: AvroNode; index: number }[] = [];
  branches.forEach((node, index) => {
    if (!isNullBranch(node)) out.push({ node, index });
  });
  return out;
}

/**
 * Whether avsc decodes this union unwrapped (the bare value, or null) instead of `{branch: value}`:
 * a single branch, or `null` plus one other type. Both the avsc type factory and the value
 * converters ask this one function, so they always agree.
 */
export function isUnwrappedUnion(branchCount: number, nullCount: number): boolean {
  return branchCount === 1 || (branchCount === 2 && nullCount === 1);
}
