// Reserved words of the classic KCQL lexer (spec/kcql.md §2.3). A keyword is recognised only when
// written all upper-case or all lower-case; any other spelling (`Pk`, `Insert`) is an identifier.

// prettier-ignore
const KEYWORDS = [
  'INSERT', 'UPSERT', 'UPDATE', 'INTO', 'SELECT', 'FROM', 'IGNORE', 'AS', 'AUTOCREATE', 'AUTOEVOLVE',
  'BATCH', 'PARTITIONBY', 'DISTRIBUTEBY', 'CLUSTERBY', 'BUCKETS', 'CAPITALIZE', 'INITIALIZE', 'PROJECTTO',
  'WITHTIMESTAMP', 'TIMESTAMPUNIT', 'WITHTAG', 'WITHKEY', 'KEYDELIMITER', 'WITHSTRUCTURE', 'WITHTYPE',
  'PK', 'WITHFORMAT', 'WITHUNWRAP', 'STOREAS', 'LIMIT', 'INCREMENTALMODE', 'WITHDOCTYPE',
  'WITHINDEXSUFFIX', 'WITHCONVERTER', 'WITHJMSSELECTOR', 'WITHTARGET', 'WITHSUBSCRIPTION', 'WITHPIPELINE',
  'WITHREGEX', 'TTL', 'PROPERTIES', 'WITHGROUP', 'WITHOFFSET', 'SAMPLE', 'EVERY', 'WITHCOMPRESSION',
  'WITHPARTITIONER', 'WITHDELAY', 'WITH_FLUSH_INTERVAL', 'WITH_FLUSH_SIZE', 'WITH_FLUSH_COUNT',
  'WITH_SCHEMA_EVOLUTION', 'WITH_TABLE_LOCATION', 'WITH_OVERWRITE', 'WITH_PARTITIONING', 'WITH_SESSION',
  'WITH_ACK', 'WITH_ENCODE_BASE64', 'WITH_LOCK_TIME'
] as const;

/** The values of `WITHFORMAT`; classic reserves these words everywhere (spec/kcql.md §7 Q5). */
const FORMAT_WORDS = ['AVRO', 'TEXT', 'BINARY', 'JSON', 'OBJECT', 'MAP', 'PROTOBUF'] as const;

export type Keyword = (typeof KEYWORDS)[number];
export type FormatWord = (typeof FORMAT_WORDS)[number];

function byBothCases<T extends string>(words: readonly T[]): Map<string, T> {
  const spellings = new Map<string, T>();
  for (const word of words) {
    spellings.set(word, word);
    spellings.set(word.toLowerCase(), word);
  }
  return spellings;
}

const KEYWORD_SPELLINGS = byBothCases(KEYWORDS);
// The classic grammar spells this one token `'PROJECTTO' | 'projectTo' | 'projectto'`.
KEYWORD_SPELLINGS.set('projectTo', 'PROJECTTO');
const FORMAT_SPELLINGS = byBothCases(FORMAT_WORDS);

export function keywordOf(word: string): Keyword | undefined {
  return KEYWORD_SPELLINGS.get(word);
}

export function formatWordOf(word: string): FormatWord | undefined {
  return FORMAT_SPELLINGS.get(word);
}

/** For error hints: the reserved word a mixed-case spelling (`Pk`, `Select`) was probably meant to be. */
export function reservedWordIgnoringCase(word: string): string | undefined {
  const upper = word.toUpperCase();
  return keywordOf(upper) ?? formatWordOf(upper);
}

/** For error hints: the keyword a misspelt word (`WITHTAGS`, `PARTITION_BY`) was probably meant to be. */
export function closestKeyword(word: string): Keyword | undefined {
  const upper = word.toUpperCase();
  // Short words are too close to too many keywords to guess from ('a' is one edit from AS).
  const allowed = upper.length >= 6 ? 2 : upper.length >= 4 ? 1 : 0;
  let best: { keyword: Keyword; distance: number } | undefined;
  for (const keyword of KEYWORDS) {
    const distance = editDistance(upper, keyword);
    if (distance <= allowed && (!best || distance < best.distance)) best = { keyword, distance };
  }
  return best?.keyword;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
