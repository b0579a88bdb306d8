// Reason phrases and explanations for the error pages the server writes itself (CPython 3.11's table).

const STATUS: Record<number, readonly [phrase: string, explanation: string]> = {
  400: ['Bad Request', 'Bad request syntax or unsupported method'],
  408: ['Request Timeout', 'Request timed out; try again later'],
  413: ['Request Entity Too Large', 'Entity is too large'],
  414: ['Request-URI Too Long', 'URI is too long'],
  417: ['Expectation Failed', 'Expect condition could not be satisfied'],
  431: [
    'Request Header Fields Too Large',
    'The server is unwilling to process the request because its header fields are too large',
  ],
  500: ['Internal Server Error', 'Server got itself in trouble'],
  501: ['Not Implemented', 'Server does not support this operation'],
  505: ['HTTP Version Not Supported', 'Cannot fulfill request'],
};

export function statusPhrase(code: number): string {
  return STATUS[code]?.[0] ?? '???';
}

export function statusExplanation(code: number): string {
  return STATUS[code]?.[1] ?? '???';
}
