/**
 * The lab editor's look, from CSS custom properties set in lab.css for the site's light and dark
 * themes: CodeMirror's chrome and every token class follow the theme live (no reconfiguration when
 * the reader switches), with AA contrast for each token against the editor's background.
 */
import { EditorView } from '@codemirror/view';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

const v = (name: string) => `var(--onramp-code-${name})`;

export const editorChrome = EditorView.theme({
  '&': { color: v('fg'), backgroundColor: v('bg'), height: '100%', fontSize: 'var(--sl-text-sm)' },
  '.cm-scroller': { fontFamily: 'var(--sl-font-mono)', overflow: 'auto' },
  '.cm-content': { caretColor: v('fg') },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: v('fg') },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection': { backgroundColor: v('selection') },
  '.cm-activeLine': { backgroundColor: v('active-line') },
  '.cm-gutters': { backgroundColor: v('gutter-bg'), color: v('gutter-fg'), borderRight: `1px solid ${v('border')}` },
  '.cm-activeLineGutter': { backgroundColor: v('active-line'), color: v('fg') },
  '.cm-matchingBracket, &.cm-focused .cm-matchingBracket': { backgroundColor: v('match'), color: v('fg'), outline: `1px solid ${v('gutter-fg')}` },
  '.cm-nonmatchingBracket': { color: v('invalid') },
  '.cm-searchMatch': { backgroundColor: v('match'), outline: `1px solid ${v('gutter-fg')}` },
  '.cm-panels': { backgroundColor: v('gutter-bg'), color: v('fg') },
  '.cm-panels input, .cm-panels button': { color: v('fg'), backgroundColor: v('bg') },
  '.cm-tooltip': { backgroundColor: v('gutter-bg'), color: v('fg'), border: `1px solid ${v('border')}` },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: v('selection'), color: v('fg') },
  '.cm-foldPlaceholder': { backgroundColor: v('match'), color: v('fg'), border: 'none' },
});

export const tokenColours = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword, t.definitionKeyword, t.modifier], color: v('keyword') },
  { tag: [t.string, t.special(t.string), t.regexp, t.character], color: v('string') },
  { tag: [t.number, t.bool, t.null, t.atom, t.unit], color: v('number') },
  { tag: [t.comment, t.lineComment, t.blockComment, t.docComment, t.meta], color: v('comment'), fontStyle: 'italic' },
  { tag: [t.propertyName, t.attributeName, t.labelName], color: v('property') },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.className, t.typeName, t.namespace], color: v('function') },
  { tag: [t.variableName, t.definition(t.variableName), t.self], color: v('fg') },
  { tag: [t.operator, t.punctuation, t.separator, t.bracket, t.squareBracket, t.paren, t.brace, t.derefOperator], color: v('punctuation') },
  { tag: [t.heading, t.strong], fontWeight: 'bold', color: v('keyword') },
  { tag: t.link, color: v('property'), textDecoration: 'underline' },
  { tag: t.invalid, color: v('invalid') },
]);

export const editorTheme = [editorChrome, syntaxHighlighting(tokenColours)];
