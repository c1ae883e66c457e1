import { parseDocument, LineCounter } from 'yaml';
const text = '['.repeat(100000);
const d = parseDocument(text, { lineCounter: new LineCounter(), schema: 'failsafe', uniqueKeys: true, prettyErrors: false });
const e = d.errors[0]!;
console.log(e.code, e.message.length, e.pos, JSON.stringify(e.message.slice(0, 200)));
const first = e.message.split('\n')[0] ?? e.code;
console.log('first len', first.length);
const t = Date.now();
console.log(first.replace(/ at line \d+, column \d+:?$/, '').length, Date.now() - t);
