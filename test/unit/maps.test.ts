import { describe, expect, it } from 'vitest';
import { checkMaps, type MapContext, mapSidebarLinks, nodeOrder, outlineTree, parseMap, validateMap } from '../../src/shared/maps.ts';
import { layoutMap, wrap } from '../../src/shared/map-layout.ts';
import { mapIds, siteHrefs } from '../../src/shared/site-links.ts';

const root = process.cwd();
const FILE = 'content/maps/tiny.yaml';
const ctx: MapContext = { hrefs: new Set(['/guides/a/', '/playbooks/b/', '/decisions/tiny/']), personas: ['data-scientist', 'ml-engineer'] };

/** A small valid map; each test breaks one thing. */
function tiny(): Record<string, any> {
  return {
    id: 'tiny',
    title: 'Tiny',
    question: 'Which way?',
    description: 'A test map.',
    personas: ['data-scientist'],
    start: 'first',
    glossary: { thing: 'A thing.' },
    nodes: {
      first: {
        question: 'Left or right?',
        why: 'Because.',
        options: [
          { label: 'Left', short: 'you went left', next: 'second' },
          { label: 'Right', short: 'you went right', next: 'done_right' },
        ],
      },
      second: {
        question: 'Up or down?',
        options: [
          { label: 'Up', short: 'you went up', next: 'done_up' },
          { label: 'Down', short: 'you went down', next: 'done_right' },
        ],
      },
      done_up: { outcome: 'Go up', summary: 'Up it is.', next_actions: [{ label: 'A guide', href: '/guides/a/' }] },
      done_right: { outcome: 'Go right', summary: 'Right it is.', next_actions: [{ label: 'A playbook', href: '/playbooks/b/#step-2' }] },
    },
  };
}

const problems = (map: unknown, file = FILE) => validateMap(map, file, ctx).problems;

describe('decision map validator', () => {
  it('accepts a valid map', () => {
    const result = validateMap(tiny(), FILE, ctx);
    expect(result.problems).toEqual([]);
    expect(nodeOrder(result.map!)).toEqual(['first', 'second', 'done_right', 'done_up']);
  });

  it('names a missing start', () => {
    const map = tiny();
    map.start = 'nowhere';
    expect(problems(map)).toEqual([`${FILE}: start: no node "nowhere"`]);
  });

  it('names the node and option of a dangling next', () => {
    const map = tiny();
    map.nodes.second.options[1].next = 'missing';
    expect(problems(map)).toEqual([`${FILE}: node "second" options.1 ("Down"): next "missing" is not a node`]);
  });

  it('finds a cycle and names the nodes on it', () => {
    const map = tiny();
    map.nodes.second.options[1].next = 'first';
    const found = problems(map);
    expect(found).toHaveLength(1);
    expect(found[0]).toBe(`${FILE}: node "first": cycle first → second → first; a map must always move forward`);
  });

  it('finds a node pointing at itself', () => {
    const map = tiny();
    map.nodes.second.options[0].next = 'second';
    expect(problems(map)).toContain(`${FILE}: node "second" options.0: points at itself`);
  });

  it('names an unreachable node', () => {
    const map = tiny();
    map.nodes.orphan = { outcome: 'Alone', summary: 'Nobody gets here.', next_actions: [{ label: 'A guide', href: '/guides/a/' }] };
    expect(problems(map)).toEqual([`${FILE}: node "orphan": unreachable from start "first"`]);
  });

  it('names an outcome without next actions', () => {
    const map = tiny();
    map.nodes.done_up.next_actions = [];
    expect(problems(map)).toEqual([`${FILE}: node "done_up" next_actions: an outcome needs at least one next action`]);
    delete map.nodes.done_up.next_actions;
    expect(problems(map)[0]).toMatch(/^content\/maps\/tiny\.yaml: node "done_up" next_actions: /);
  });

  it('names a next action whose href is not a page', () => {
    const map = tiny();
    map.nodes.done_up.next_actions.push({ label: 'Gone', href: '/guides/gone/' });
    expect(problems(map)).toEqual([`${FILE}: node "done_up" next_actions.1: href "/guides/gone/" is not a page of the site`]);
  });

  it('requires the id to equal the file name', () => {
    expect(problems(tiny(), 'content/maps/other.yaml')).toEqual(['content/maps/other.yaml: id "tiny" must equal the file name "other"']);
  });

  it('rejects a node that is both a question and an outcome', () => {
    const map = tiny();
    map.nodes.second.outcome = 'Also an outcome';
    expect(problems(map)[0]).toMatch(/^content\/maps\/tiny\.yaml: node "second": is both a question and an outcome/);
  });

  it('names the node and field of a malformed node, an unknown persona, a one-option question', () => {
    const map = tiny();
    delete map.nodes.first.options[0].short;
    expect(problems(map)).toEqual([`${FILE}: node "first" options.0.short: Invalid input: expected string, received undefined`]);
    const solo = tiny();
    solo.nodes.second.options.pop();
    expect(problems(solo)[0]).toBe(`${FILE}: node "second" options: a question needs at least two options`);
    const who = tiny();
    who.personas = ['wizard'];
    expect(problems(who)[0]).toMatch(/^content\/maps\/tiny\.yaml: personas\.0: unknown persona "wizard"/);
  });

  it('reports YAML syntax errors with the file', () => {
    expect(parseMap('id: [unclosed', FILE, ctx).problems[0]).toMatch(/^content\/maps\/tiny\.yaml: not valid YAML: /);
  });

  it('turns a shared node into a reference in the outline', () => {
    const map = validateMap(tiny(), FILE, ctx).map!;
    const tree = outlineTree(map);
    expect(tree.type).toBe('question');
    const refs: string[] = [];
    const walk = (item: ReturnType<typeof outlineTree>) => {
      if (item.type === 'ref') refs.push(item.id);
      if (item.type === 'question') item.options.forEach((o) => walk(o.next));
    };
    walk(tree);
    expect(refs).toEqual(['done_right']);
  });
});

describe('the real decision maps', () => {
  it('all six pass, and every map has a page path', () => {
    const { maps, problems: found } = checkMaps(root);
    expect(found).toEqual([]);
    expect(maps.map((m) => m.id).sort()).toEqual(mapIds(root));
    expect(maps).toHaveLength(6);
    const hrefs = siteHrefs(root);
    for (const m of maps) expect(hrefs.has(`/decisions/${m.id}/`)).toBe(true);
    expect(mapSidebarLinks(root)).toHaveLength(6);
  });

  it('lays each map out with every node and edge placed', async () => {
    for (const map of checkMaps(root).maps) {
      const layout = await layoutMap(map);
      expect(layout.nodes).toHaveLength(Object.keys(map.nodes).length);
      for (const edge of layout.edges) expect(edge.points.length).toBeGreaterThanOrEqual(2);
      expect(layout.width).toBeGreaterThan(0);
    }
  });

  it('wraps text into lines of bounded length', () => {
    expect(wrap('one two three four five', 9)).toEqual(['one two', 'three', 'four five']);
  });
});
