// The filter vocabulary of one account, derived from its tool catalog (GET
// /integrated-account/{id}/tools without a filter), never hard-coded: toolgen
// owns the methods and tags and adds to them.
import type { ToolSummary } from './api';

export interface Choice {
  value: string;
  count: number;
}

export interface Vocabulary {
  groups: Choice[]; // read, write, custom: the SPEC §3 method groups
  methods: Choice[]; // exact method names
  tags: Choice[];
}

export const GROUP_HELP: Record<string, string> = {
  read: 'get + list',
  write: 'create + update + delete',
  custom: 'every other method',
};

const READ = new Set(['get', 'list']);
const WRITE = new Set(['create', 'update', 'delete']);

export function methodGroup(method: string): 'read' | 'write' | 'custom' {
  if (READ.has(method)) return 'read';
  if (WRITE.has(method)) return 'write';
  return 'custom';
}

function counted(values: Iterable<string>): Choice[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => a.value.localeCompare(b.value));
}

export function vocabulary(tools: readonly ToolSummary[]): Vocabulary {
  const groupCounts = counted(tools.map((t) => methodGroup(t.method)));
  const order = ['read', 'write', 'custom'];
  return {
    groups: order.map((g) => ({ value: g, count: groupCounts.find((c) => c.value === g)?.count ?? 0 })),
    methods: counted(tools.map((t) => t.method)),
    tags: counted(tools.flatMap((t) => t.tags)),
  };
}
