import re, sys
# lint compact output -> keys; args need their parent: read the schema to map line -> type
schema = open(sys.argv[2]).read().split('\n')
def parent_of(line):
    for i in range(line - 1, -1, -1):
        m = re.match(r'^(?:type|input|interface|enum)\s+(\w+)', schema[i])
        if m: return m.group(1)
for l in open(sys.argv[1]):
    m = re.search(r':(\d+):\d+ The `(\w+)` argument of `(\w+)`', l)
    if m:
        print(f'{parent_of(int(m.group(1))-1)}.{m.group(3)}({m.group(2)})'); continue
    m = re.search(r'The (?:field|input value|input field|enum value|object type|input object type|interface type|enum type|type) `([\w.]+)`', l)
    if m: print(m.group(1)); continue
    m = re.search(r'The `(\w+)` (?:object|input|interface|enum)', l)
    if m and 'description' in l: print(m.group(1)); continue
    if 'description' in l: print('UNPARSED', l.strip(), file=sys.stderr)
