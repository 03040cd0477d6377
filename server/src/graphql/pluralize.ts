/**
 * English plurals of class names, as Parse names its find queries (`gameScore` → `gameScores`, `person` →
 * `people`, `category` → `categories`). Only the last word of a camel-case name changes. Our own small rule
 * table: irregular nouns, uncountable nouns, then suffix rules, in that order.
 */
const IRREGULAR: Readonly<Record<string, string>> = {
  person: 'people',
  man: 'men',
  woman: 'women',
  child: 'children',
  tooth: 'teeth',
  foot: 'feet',
  mouse: 'mice',
  goose: 'geese',
  ox: 'oxen',
  leaf: 'leaves',
  life: 'lives',
  knife: 'knives',
  wife: 'wives',
  half: 'halves',
  wolf: 'wolves',
  shelf: 'shelves',
  thief: 'thieves',
  criterion: 'criteria',
  phenomenon: 'phenomena',
  datum: 'data',
  medium: 'media',
  analysis: 'analyses',
  index: 'indices',
  matrix: 'matrices',
  vertex: 'vertices',
  quiz: 'quizzes',
  photo: 'photos',
  piano: 'pianos',
  video: 'videos',
  radio: 'radios',
  zoo: 'zoos',
};

const UNCOUNTABLE = new Set([
  'equipment',
  'information',
  'rice',
  'money',
  'species',
  'series',
  'fish',
  'sheep',
  'deer',
  'news',
  'police',
  'data',
  'media',
  'people',
  'feedback',
  'metadata',
  'software',
  'hardware',
  'music',
  'advice',
  'furniture',
  'luggage',
  'staff',
]);

const SUFFIX_RULES: readonly (readonly [RegExp, string])[] = [
  [/(quiz)$/i, '$1zes'],
  [/([^aeiouy])y$/i, '$1ies'],
  [/(x|ch|ss|sh|zz)$/i, '$1es'],
  [/(hero|potato|tomato|echo|veto|torpedo|embargo)$/i, '$1es'],
  [/(?:([^f])fe|([lr])f)$/i, '$1$2ves'],
  [/sis$/i, 'ses'],
  [/(us)$/i, '$1es'],
  [/s$/i, 's'],
  [/$/, 's'],
];

export function pluralize(name: string): string {
  // The last word of camelCase / snake_case: `gameScore` → `Score`.
  const match = /^(.*?)([A-Z]?[a-z0-9]*)$/.exec(name);
  const head = match?.[1] ?? '';
  const word = match?.[2] ?? name;
  if (word === '') return `${name}s`;
  return head + pluralWord(word);
}

function pluralWord(word: string): string {
  const lower = word.toLowerCase();
  if (UNCOUNTABLE.has(lower)) return word;
  const irregular = IRREGULAR[lower];
  if (irregular !== undefined) return matchCase(word, irregular);
  if (lower.endsWith('s') && !lower.endsWith('ss') && !lower.endsWith('us') && !lower.endsWith('is')) return word;
  for (const [pattern, replacement] of SUFFIX_RULES) {
    if (pattern.test(word)) return word.replace(pattern, replacement);
  }
  return `${word}s`;
}

function matchCase(original: string, plural: string): string {
  return original.charAt(0) === original.charAt(0).toUpperCase()
    ? plural.charAt(0).toUpperCase() + plural.slice(1)
    : plural;
}
