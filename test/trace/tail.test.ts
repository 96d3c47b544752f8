import { describe, expect, it } from 'vitest';
import { endTimeOfTail } from '../../sim/trace/tail.ts';

describe('endTimeOfTail (the run end read from a trace file tail)', () => {
  const header = '{"type":"header","version":1}';
  const ev = '{"seq":0,"t":5,"type":"start","node":"n1"}';
  const end = '{"type":"end","t":1234,"events":1,"hash":"ab","stats":{}}';
  it.each([
    ['a tail cut mid-line ending with the end line', `t":3,"type":"x"}\n${ev}\n${end}\n`, false, 1234],
    ['no trailing newline', `xx\n${end}`, false, 1234],
    ['CRLF line ends', `xx\r\n${end}\r\n`, false, 1234],
    ['the whole file', `${header}\n${ev}\n${end}\n`, true, 1234],
    ['a one-line tail that is the whole file', end, true, 1234],
    ['a one-line tail cut at its start', end, false, undefined],
    ['a truncated trace (last line is an event)', `xx\n${end}\n${ev}\n`, false, undefined],
    ['a cut end line', `xx\n${end.slice(0, 30)}`, false, undefined],
    ['an end line without t', 'xx\n{"type":"end","events":1}\n', false, undefined],
    ['an end line with a negative t', 'xx\n{"type":"end","t":-1}\n', false, undefined],
    ['empty', '', true, undefined],
  ])('%s', (_name, tail, whole, want) => {
    expect(endTimeOfTail(tail, whole)).toBe(want);
  });
});
