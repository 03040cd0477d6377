/**
 * The catalog of Parse error codes Strata emits: code, default message and HTTP status.
 * The numbers are Parse's wire protocol (spec/errors.md); the messages are ours.
 */
export const ErrorCode = {
  OTHER_CAUSE: -1,
  INTERNAL_SERVER_ERROR: 1,
  CONNECTION_FAILED: 100,
  OBJECT_NOT_FOUND: 101,
  INVALID_QUERY: 102,
  INVALID_CLASS_NAME: 103,
  MISSING_OBJECT_ID: 104,
  INVALID_KEY_NAME: 105,
  INVALID_POINTER: 106,
  INVALID_JSON: 107,
  COMMAND_UNAVAILABLE: 108,
  INCORRECT_TYPE: 111,
  PUSH_MISCONFIGURED: 115,
  OPERATION_FORBIDDEN: 119,
  INVALID_NESTED_KEY: 121,
  INVALID_FILE_NAME: 122,
  INVALID_ACL: 123,
  TIMEOUT: 124,
  OBJECT_TOO_LARGE: 116,
  FILE_SAVE_ERROR: 130,
  FILE_DELETE_ERROR: 153,
  INVALID_INSTALLATION_ID: 132,
  MISSING_REQUIRED_FIELD: 135,
  CHANGED_IMMUTABLE_FIELD: 136,
  DUPLICATE_VALUE: 137,
  SCRIPT_FAILED: 141,
  VALIDATION_ERROR: 142,
  WEBHOOK_ERROR: 143,
  DUPLICATE_REQUEST: 159,
  INVALID_VALUE: 162,
  INVALID_EMAIL_ADDRESS: 125,
  USERNAME_MISSING: 200,
  PASSWORD_MISSING: 201,
  USERNAME_TAKEN: 202,
  EMAIL_TAKEN: 203,
  EMAIL_MISSING: 204,
  EMAIL_NOT_FOUND: 205,
  SESSION_MISSING: 206,
  ACCOUNT_ALREADY_LINKED: 208,
  INVALID_SESSION_TOKEN: 209,
  UNSUPPORTED_SERVICE: 252,
  INVALID_SCHEMA_OPERATION: 255,
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorCatalogEntry {
  readonly name: keyof typeof ErrorCode;
  readonly message: string;
  readonly httpStatus: number;
}

const entry = (name: keyof typeof ErrorCode, message: string, httpStatus = 400): ErrorCatalogEntry => ({
  name,
  message,
  httpStatus,
});

/** Default message and HTTP status per code. Parse answers 404 for 101, 500 for 1, 400 otherwise. */
export const ERROR_CATALOG: Readonly<Record<ErrorCode, ErrorCatalogEntry>> = {
  [ErrorCode.OTHER_CAUSE]: entry('OTHER_CAUSE', 'The request failed.'),
  [ErrorCode.INTERNAL_SERVER_ERROR]: entry('INTERNAL_SERVER_ERROR', 'Internal server error.', 500),
  [ErrorCode.CONNECTION_FAILED]: entry('CONNECTION_FAILED', 'Too many requests.', 429),
  [ErrorCode.OBJECT_NOT_FOUND]: entry('OBJECT_NOT_FOUND', 'Object not found.', 404),
  [ErrorCode.INVALID_QUERY]: entry('INVALID_QUERY', 'The query is not valid.'),
  [ErrorCode.INVALID_CLASS_NAME]: entry('INVALID_CLASS_NAME', 'Invalid class name.'),
  [ErrorCode.MISSING_OBJECT_ID]: entry('MISSING_OBJECT_ID', 'An objectId is required.'),
  [ErrorCode.INVALID_KEY_NAME]: entry('INVALID_KEY_NAME', 'Invalid field name.'),
  [ErrorCode.INVALID_POINTER]: entry('INVALID_POINTER', 'Malformed pointer.'),
  [ErrorCode.INVALID_JSON]: entry('INVALID_JSON', 'The request body is not valid.'),
  [ErrorCode.COMMAND_UNAVAILABLE]: entry('COMMAND_UNAVAILABLE', 'This operation is not supported.'),
  [ErrorCode.INCORRECT_TYPE]: entry('INCORRECT_TYPE', 'A value has the wrong type.'),
  [ErrorCode.PUSH_MISCONFIGURED]: entry('PUSH_MISCONFIGURED', 'The push request is not valid.'),
  [ErrorCode.OPERATION_FORBIDDEN]: entry('OPERATION_FORBIDDEN', 'Permission denied'),
  [ErrorCode.INVALID_NESTED_KEY]: entry(
    'INVALID_NESTED_KEY',
    "Nested keys should not contain the '$' or '.' characters",
  ),
  [ErrorCode.INVALID_FILE_NAME]: entry('INVALID_FILE_NAME', 'Invalid file name.'),
  [ErrorCode.INVALID_ACL]: entry('INVALID_ACL', 'Invalid ACL.'),
  [ErrorCode.TIMEOUT]: entry('TIMEOUT', 'The operation timed out.'),
  [ErrorCode.OBJECT_TOO_LARGE]: entry('OBJECT_TOO_LARGE', 'The request is too large.'),
  [ErrorCode.FILE_SAVE_ERROR]: entry('FILE_SAVE_ERROR', 'Could not store file.'),
  [ErrorCode.FILE_DELETE_ERROR]: entry('FILE_DELETE_ERROR', 'Could not delete file.'),
  [ErrorCode.INVALID_INSTALLATION_ID]: entry('INVALID_INSTALLATION_ID', 'Invalid installation id.'),
  [ErrorCode.MISSING_REQUIRED_FIELD]: entry('MISSING_REQUIRED_FIELD', 'A required field is missing.'),
  [ErrorCode.CHANGED_IMMUTABLE_FIELD]: entry('CHANGED_IMMUTABLE_FIELD', 'This field cannot be changed.'),
  [ErrorCode.DUPLICATE_VALUE]: entry(
    'DUPLICATE_VALUE',
    'A duplicate value for a field with unique values was provided',
  ),
  [ErrorCode.SCRIPT_FAILED]: entry('SCRIPT_FAILED', 'Cloud code failed.'),
  [ErrorCode.VALIDATION_ERROR]: entry('VALIDATION_ERROR', 'Validation failed.'),
  [ErrorCode.WEBHOOK_ERROR]: entry('WEBHOOK_ERROR', 'invalid hook declaration'),
  [ErrorCode.DUPLICATE_REQUEST]: entry('DUPLICATE_REQUEST', 'Duplicate request'),
  [ErrorCode.INVALID_VALUE]: entry('INVALID_VALUE', 'Invalid value.'),
  [ErrorCode.INVALID_EMAIL_ADDRESS]: entry('INVALID_EMAIL_ADDRESS', 'Email address format is invalid.'),
  [ErrorCode.USERNAME_MISSING]: entry('USERNAME_MISSING', 'bad or missing username'),
  [ErrorCode.PASSWORD_MISSING]: entry('PASSWORD_MISSING', 'password is required.'),
  [ErrorCode.USERNAME_TAKEN]: entry('USERNAME_TAKEN', 'Account already exists for this username.'),
  [ErrorCode.EMAIL_TAKEN]: entry('EMAIL_TAKEN', 'Account already exists for this email address.'),
  [ErrorCode.EMAIL_MISSING]: entry('EMAIL_MISSING', 'you must provide an email'),
  [ErrorCode.EMAIL_NOT_FOUND]: entry('EMAIL_NOT_FOUND', 'User email is not verified.'),
  [ErrorCode.SESSION_MISSING]: entry('SESSION_MISSING', 'Insufficient auth.'),
  [ErrorCode.ACCOUNT_ALREADY_LINKED]: entry('ACCOUNT_ALREADY_LINKED', 'this auth is already used'),
  [ErrorCode.UNSUPPORTED_SERVICE]: entry('UNSUPPORTED_SERVICE', 'This authentication method is unsupported.'),
  [ErrorCode.INVALID_SESSION_TOKEN]: entry('INVALID_SESSION_TOKEN', 'Invalid session token'),
  [ErrorCode.INVALID_SCHEMA_OPERATION]: entry('INVALID_SCHEMA_OPERATION', 'Invalid schema operation.'),
};
