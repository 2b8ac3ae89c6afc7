// A table of tools as the tools endpoint describes them.
import type { ToolSummary } from '../api';
import { badge } from '../components';
import { h } from '../dom';

export function toolsTable(tools: readonly ToolSummary[], testid = 'tools-table'): HTMLTableElement {
  return h(
    'table',
    { class: 'table tools', 'data-testid': testid },
    h('thead', null, h('tr', null, h('th', null, 'Tool'), h('th', null, 'Method'), h('th', null, 'Tags'), h('th', null, ''))),
    h(
      'tbody',
      null,
      tools.map((t) =>
        h(
          'tr',
          { 'data-tool': t.name },
          h('td', null, h('code', null, t.name), t.title ? h('div', { class: 'muted small' }, t.title) : null),
          h('td', null, t.method),
          h('td', null, t.tags.map((tag) => badge(tag, 'tag'))),
          h('td', null, t.read_only ? badge('read-only', 'ok') : null, t.destructive ? badge('destructive', 'warn') : null),
        ),
      ),
    ),
  );
}
