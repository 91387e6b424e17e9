// Numbers of the RethinkDB wire protocol (ql2.proto), only those the test server speaks.

/** The magic number a V1_0 client sends first (little-endian uint32). */
export const V1_0 = 0x34c2bdc3;
/** The JSON protocol version the V1_0 handshake negotiates (min = max = 0 on every real server). */
export const PROTOCOL_VERSION = 0;

export const QueryType = { START: 1, CONTINUE: 2, STOP: 3, NOREPLY_WAIT: 4, SERVER_INFO: 5 } as const;

export const ResponseType = {
  SUCCESS_ATOM: 1,
  SUCCESS_SEQUENCE: 2,
  WAIT_COMPLETE: 4,
  SERVER_INFO: 5,
  CLIENT_ERROR: 16,
  COMPILE_ERROR: 17,
  RUNTIME_ERROR: 18,
} as const;

export const ErrorType = {
  INTERNAL: 1000000,
  QUERY_LOGIC: 3000000,
  NON_EXISTENCE: 3100000,
  OP_FAILED: 4100000,
} as const;

export const TermType = {
  MAKE_ARRAY: 2,
  MAKE_OBJ: 3,
  VAR: 10,
  IMPLICIT_VAR: 13,
  DB: 14,
  TABLE: 15,
  GET: 16,
  EQ: 17,
  NE: 18,
  LT: 19,
  LE: 20,
  GT: 21,
  GE: 22,
  NOT: 23,
  GET_FIELD: 31,
  FILTER: 39,
  COUNT: 43,
  DELETE: 54,
  INSERT: 56,
  DB_CREATE: 57,
  DB_DROP: 58,
  DB_LIST: 59,
  TABLE_CREATE: 60,
  TABLE_DROP: 61,
  TABLE_LIST: 62,
  FUNCALL: 64,
  OR: 66,
  AND: 67,
  FUNC: 69,
  GET_ALL: 78,
  INFO: 79,
  CONTAINS: 93,
  ISO8601: 99,
  BRACKET: 170,
  WAIT: 177,
} as const;

/** The name of a term number, for error messages ("term 41"). */
export function termName(type: number): string {
  const known = Object.entries(TermType).find(([, n]) => n === type);
  return known ? known[0] : `#${type}`;
}
