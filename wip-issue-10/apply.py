import re, sys, os, glob, json
import os; exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'descs.py')).read())
ROOT = sys.argv[1]
files = [f for f in glob.glob(ROOT + '/src/**/*.ts', recursive=True) if not f.endswith('.test.ts')]
src = {f: open(f).read() for f in files}
missing = [l.strip() for l in open(sys.argv[2])]  # keys still missing: T, T.f, T.f(a), E.V
done, failed = [], []

def q(s):
    return "'" + s.replace("'", "\u2019") + "'"

def match_paren(text, i):
    # text[i] == '('; returns index of matching ')'
    depth, j, quote = 0, i, None
    while j < len(text):
        c = text[j]
        if quote:
            if c == '\\': j += 2; continue
            if c == quote: quote = None
        elif c in '\'"`': quote = c
        elif c in '([{': depth += 1
        elif c in ')]}':
            depth -= 1
            if depth == 0: return j
        j += 1
    raise ValueError('unbalanced')

def top_level_args(s):
    # split s (inside parens) on top-level commas
    parts, depth, cur, quote, k = [], 0, '', None, 0
    while k < len(s):
        c = s[k]
        if quote:
            cur += c
            if c == '\\': cur += s[k+1]; k += 2; continue
            if c == quote: quote = None
        elif c in '\'"`': quote = c; cur += c
        elif c in '([{': depth += 1; cur += c
        elif c in ')]}': depth -= 1; cur += c
        elif c == ',' and depth == 0: parts.append(cur); cur = ''
        else: cur += c
        k += 1
    if cur.strip(): parts.append(cur)
    return parts

def add_description(text, open_idx, desc):
    """open_idx: index of '(' of a decorator call. Returns new text."""
    close = match_paren(text, open_idx)
    inner = text[open_idx+1:close]
    parts = top_level_args(inner)
    if parts and parts[-1].strip().startswith('{'):
        last = parts[-1]
        if 'description' in last: return None
        b = inner.rindex('{', 0, len(inner) - len(last) + last.index('{') + 1)
        pos = open_idx + 1 + (len(inner) - len(last)) + last.index('{') + 1
        body = last.strip()[1:-1].strip()
        ins = ' description: ' + q(desc) + (',' if body else ' ')
        return text[:pos] + ins + text[pos:]
    if inner.strip() == '':
        return text[:open_idx+1] + '{ description: ' + q(desc) + ' }' + text[close:]
    return text[:close] + ', { description: ' + q(desc) + ' }' + text[close:]

DECOS = r'@(?:Field|FieldResolver|Query|Mutation|Subscription)\('

def class_spans(text):
    """yields (graphql_name, kind, start, end) for decorated classes and resolver classes."""
    for m in re.finditer(r'((?:@\w+\((?:[^()]|\([^()]*\))*\)\s*)+)(?:export\s+)?(?:abstract\s+)?class\s+(\w+)', text):
        decos, cls = m.group(1), m.group(2)
        body_start = text.index('{', m.end())
        # match braces
        depth, j = 0, body_start
        while True:
            if text[j] == '{': depth += 1
            elif text[j] == '}':
                depth -= 1
                if depth == 0: break
            j += 1
        names = []
        for dm in re.finditer(r'@(ObjectType|InputType|InterfaceType|ArgsType)\(\s*(?:[\'"](\w+)[\'"])?', decos):
            names.append((dm.group(2) or cls, dm.group(1), m.start()))
        rm = re.search(r'@Resolver\(\s*(?:\(\)\s*=>\s*)?(\w+)', decos)
        if rm: names.append((rm.group(1), 'Resolver', m.start()))
        if re.search(r'@Resolver\(\s*\)', decos): names.append(('__root__', 'Resolver', m.start()))
        for n, kind, s in names:
            yield n, kind, m.start(), j, cls

def find_member(text, start, end, member):
    """index of the '(' of the decorator right above member (property or method) in the class body."""
    body = text[start:end]
    for mm in re.finditer(r'^\s*(?:async\s+)?(?:get\s+)?' + re.escape(member) + r'\s*[!?]?\s*[:(]', body, re.M):
        pos = start + mm.start()
        # look back for the nearest decorator before pos, with only decorators/whitespace/comments between
        before = text[:pos]
        cands = [d for d in re.finditer(DECOS, before)]
        if not cands: continue
        d = cands[-1]
        close = match_paren(text, d.end() - 1)
        between = text[close+1:pos]
        between = re.sub(r'@\w+\((?:[^()]|\([^()]*\))*\)', '', between)
        between = re.sub(r'/\*.*?\*/|//[^\n]*', '', between, flags=re.S)
        if between.strip() == '':
            return d.end() - 1, pos
    return None

def root_member(text, rootkind, member):
    for d in re.finditer(r'@' + rootkind + r'\(', text):
        close = match_paren(text, d.end() - 1)
        inner = text[d.end():close]
        nm = re.search(r"name:\s*'(\w+)'", inner)
        after = text[close+1:]
        mm = re.match(r'(?:\s*@\w+\((?:[^()]|\([^()]*\))*\))*\s*(?:async\s+)?(\w+)\s*\(', after)
        name = nm.group(1) if nm else (mm.group(1) if mm else None)
        if name == member:
            return d.end() - 1, close + 1 + (mm.end() - 1 if mm else 0)
    return None

def apply_field(key, desc):
    t, f = key.split('.')
    for path, text in src.items():
        if t in ('Query', 'Mutation', 'Subscription'):
            r = root_member(text, t, f)
        else:
            r = None
            for n, kind, s, e, cls in class_spans(text):
                if n == t:
                    r = find_member(text, s, e, f)
                    if r: break
        if r:
            new = add_description(text, r[0], desc)
            if new: src[path] = new; return True
    return False

def apply_arg(key, desc):
    m = re.match(r'(\w+)\.(\w+)\((\w+)\)', key)
    t, f, a = m.groups()
    for path, text in src.items():
        if t in ('Query', 'Mutation', 'Subscription'):
            r = root_member(text, t, f)
        else:
            r = None
            for n, kind, s, e, cls in class_spans(text):
                if n == t and kind == 'Resolver':
                    r = find_member(text, s, e, f)
                    if r: break
        if not r: continue
        # method params start at the '(' after the method name position r[1]
        p = text.index('(', r[1])
        pclose = match_paren(text, p)
        seg = text[p:pclose]
        am = re.search(r"@Arg\(\s*'" + a + "'", seg)
        if not am: continue
        new = add_description(text, p + am.start() + len('@Arg'), desc)
        if new: src[path] = new; return True
    return False

def apply_type(t, desc):
    for path, text in src.items():
        for n, kind, s, e, cls in class_spans(text):
            if n == t and kind != 'Resolver':
                dm = re.search(r'@(ObjectType|InputType|InterfaceType)\(', text[s:])
                new = add_description(text, s + dm.end() - 1, desc)
                if new: src[path] = new; return True
    return False

ENUMS = {}
def apply_enum(key, desc):
    e, v = key.split('.')
    ENUMS.setdefault(e, {})[v] = desc
    return True

def flush_enums():
    for e, values in ENUMS.items():
        ok = False
        for path, text in src.items():
            for m in re.finditer(r'registerEnumType\((\w+),\s*\{', text):
                o = m.end() - 1
                close = match_paren(text, o)
                body = text[o+1:close]
                if not re.search(r"name:\s*'" + e + "'", body): continue
                ts_enum = m.group(1)
                em = re.search(r'enum\s+' + ts_enum + r'\s*\{([^}]*)\}', text)
                order = re.findall(r'(\w+)\s*=', em.group(1)) if em else sorted(values)
                entries = [p_.strip() for p_ in top_level_args(body) if p_.strip()]
                lines = ['  ' + en + ',' for en in entries]
                lines.append('  valuesConfig: {')
                for v in order:
                    if v in values: lines.append(f'    {v}: {{ description: {q(values[v])} }},')
                lines.append('  },')
                src[path] = text[:o] + '{\n' + '\n'.join(lines) + '\n}' + text[close+1:]
                ok = True
                break
            if ok: break
        if not ok: failed.append('enum ' + e)

ROOTS = {'Query', 'Mutation', 'Subscription'}
for key in missing:
    if '(' in key:
        d = ARGS.get(key); ok = d and apply_arg(key, d)
    elif '.' in key:
        t = key.split('.')[0]
        d = D.get(key)
        if not d: ok = False
        elif re.match(r'^[A-Z][A-Z_]*$', key.split('.')[1]): ok = apply_enum(key, d)
        else: ok = apply_field(key, d)
    else:
        d = D.get(key); ok = d and key not in ROOTS and apply_type(key, d)
    (done if ok else failed).append(key)
flush_enums()
for path, text in src.items():
    if open(path).read() != text: open(path, 'w').write(text)
print('done', len(done)); print('failed', len(failed)); print('\n'.join(failed))
