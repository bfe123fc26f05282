import type { InferResponseType } from 'hono/client';
import { api, unwrap } from './api.ts';
import { i18n } from './i18n.svelte.ts';

export type UnitRow = InferResponseType<typeof api.units.$get, 200>[number];
export interface UnitNode extends UnitRow {
  children: UnitNode[];
  depth: number;
}

/** The units of the official's scope, as a tree sorted by Vietnamese name. */
export async function loadUnitTree(): Promise<{ roots: UnitNode[]; byId: Map<number, UnitNode>; flat: UnitNode[] }> {
  const rows = await unwrap(api.units.$get());
  const byId = new Map<number, UnitNode>(rows.map((row) => [row.id, { ...row, children: [], depth: 0 }]));
  const roots: UnitNode[] = [];
  for (const node of byId.values()) {
    const parent = node.parentId === null ? undefined : byId.get(node.parentId);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const flat: UnitNode[] = [];
  const visit = (nodes: UnitNode[], depth: number) => {
    nodes.sort((a, b) => i18n.collator.compare(a.name, b.name));
    for (const node of nodes) {
      node.depth = depth;
      flat.push(node);
      visit(node.children, depth + 1);
    }
  };
  visit(roots, 0);
  return { roots, byId, flat };
}

/** A unit's name indented by its depth, for choosing a unit in a list. */
export function indentedName(node: UnitNode): string {
  return `${'\u2003'.repeat(node.depth)}${node.name}`;
}
