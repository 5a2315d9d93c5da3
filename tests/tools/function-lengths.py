#!/usr/bin/env python3
"""Lists function bodies over a number of lines in the C++ sources under the given folders, with the comment line
above each (where a long one says why it is long). Functions are found as .clang-format writes them: the opening
brace alone at column 0. Usage: tests/tools/function-lengths.py 80 core ui app"""
import pathlib
import sys


def long_functions(limit, roots):
    for root in roots:
        for path in sorted(pathlib.Path(root).rglob('*.cpp')):
            lines = path.read_text(errors='replace').split('\n')
            i = 0
            while i < len(lines):
                if lines[i] == '{' and i > 0:
                    start = i - 1
                    while start > 0 and lines[start - 1].strip() and not lines[start - 1].rstrip().endswith(
                            (';', '}', '{')) and not lines[start - 1].startswith(('//', '#')):
                        start -= 1
                    end = i + 1
                    while end < len(lines) and lines[end] != '}' and not lines[end].startswith('};'):
                        end += 1
                    if end - i - 1 > limit:
                        reason = lines[start - 1].strip() if start > 0 and lines[start - 1].startswith('//') else ''
                        yield end - i - 1, f'{path}:{start + 1}', lines[start].strip()[:100], reason
                    i = end
                i += 1


if __name__ == '__main__':
    for n, where, signature, reason in sorted(long_functions(int(sys.argv[1]), sys.argv[2:]), reverse=True):
        print(f'{n:5d} {where}  {signature}' + (f'\n      reason: {reason}' if reason else ''))
