// Python's repr() of a str: the exact quoting that Django and http.server put in their messages.

function isPrintable(unit: number): boolean {
  if (unit < 0x20 || (unit >= 0x7f && unit <= 0xa0) || unit === 0xad) return false;
  return true;
}

export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const unit = text.charCodeAt(i);
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (!isPrintable(unit)) out += '\\x' + unit.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}
