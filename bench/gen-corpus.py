#!/usr/bin/env python3
"""gen-corpus.py -- deterministic synthetic Markdown notes archive for benchmarks.

    bench/gen-corpus.py [--notes N] [--seed S] [--source DIR] [--jobs J] OUT_DIR

Writes N notes (default 200,000, about 1 GB) as OUT_DIR/DD/DD/note-NNNNNN.md,
500 per folder.  The statistics come from a real archive (--source, default
../shared/corpus next to the repository), read once at start: word and word
pair frequencies (used as single tokens and two-word units, never whole
sentences or lines), CJK character frequencies of the zh and ja pages, note,
paragraph, sentence, heading, list, code block and table sizes, the mix of
block types, front-matter shapes and date formats.  Nothing learned is saved.

The same --seed, --notes and source give byte-identical output for any
--jobs: every note draws from its own random.Random("SEED:INDEX").
See bench/gen-corpus.md.
"""

import argparse
import bisect
import collections
import datetime
import itertools
import multiprocessing
import os
import random
import re
import sys
import time

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_SOURCE = os.path.normpath(os.path.join(REPO, '..', 'shared', 'corpus'))

NOTE_CAP = 256 * 1024           # ordinary notes never exceed this
LARGE_SHARE = 0.001             # share of meeting-minutes archives of 1-1.3 MiB
LARGE_MIN, LARGE_MAX = 1 << 20, (13 << 20) // 10
CJK_SHARE = 0.05                # share of zh / ja notes
TARGET_MEAN = 5300              # mean bytes per note, all kinds: 200k ~ 1.06e9 bytes
PER_DIR = 500                   # notes per leaf folder
SOURCE_BUDGET = 64 << 20        # stop reading the source archive after this much
YEAR_MIN, YEAR_MAX = 2010, 2026

# ---------------------------------------------------------------------------
# Sampling helpers


class Table:
    """Weighted choice over a fixed list of items.

    Bounds are cumulative weights scaled to 2**32, so a batch of k draws is
    k random 32-bit words from rng.randbytes() mapped through bisect, all in
    C (map over a memoryview): about 0.15 us per draw."""

    __slots__ = ('items', 'cum')

    def __init__(self, pairs):
        pairs = [(it, int(w)) for it, w in pairs if int(w) > 0]
        if not pairs:
            raise ValueError('empty table')
        total = sum(w for _, w in pairs)
        self.items = [it for it, _ in pairs]
        self.cum = []
        acc = 0
        for _, w in pairs:
            acc += w
            self.cum.append((acc << 32) // total)

    def sample(self, rng, k):
        if k <= 0:
            return []
        mv = memoryview(rng.randbytes(4 * k)).cast('I')
        return list(map(self.items.__getitem__,
                        map(bisect.bisect_right, itertools.repeat(self.cum, k), mv)))

    def one(self, rng):
        return self.items[bisect.bisect_right(self.cum, rng.getrandbits(32))]

    def __len__(self):
        return len(self.items)


def counter_table(counter, limit=None, floor=1):
    """Table from a Counter, most frequent first, ties by item (deterministic)."""
    pairs = sorted(((k, v) for k, v in counter.items() if v >= floor),
                   key=lambda kv: (-kv[1], kv[0]))
    if limit:
        pairs = pairs[:limit]
    return Table(pairs)


class Dist:
    """Empirical distribution of non-negative integers (sorted sample)."""

    __slots__ = ('v', 'n', 'mean')

    def __init__(self, values, default):
        v = sorted(values) or list(default)
        self.v, self.n = v, len(v)
        self.mean = sum(v) / len(v)

    def sample(self, rng):
        return self.v[int(rng.random() * self.n)]

    def quantile(self, q):
        return self.v[min(self.n - 1, int(q * self.n))]


def dither(rng, x):
    """Integer with expectation x (x >= 0)."""
    return int(x + rng.random())


# ---------------------------------------------------------------------------
# Dates: one fixed set of forms, all but 'mdy' accepted by notes-index.

MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July',
          'August', 'September', 'October', 'November', 'December']
WDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
MON_RE = '(?:' + '|'.join(m[:3] for m in MONTHS) + r')[a-z]*\.?'
WDAY_RE = '(?:' + '|'.join(w[:3] for w in WDAYS) + r')[a-z]*'

DATE_FORMS = [  # name, regex that recognises it in text, body_only
    ('iso_t', r'\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)', False),
    ('iso_hm', r'\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?(?: [+-]\d{4})?', False),
    ('iso', r'\d{4}-\d\d?-\d\d?', False),
    ('slash', r'\d{4}/\d\d?/\d\d?', False),
    ('rfc2822', WDAY_RE + r', \d\d? ' + MON_RE + r' \d{4} \d\d:\d\d', False),
    ('wday_long', WDAY_RE + r', ' + MON_RE + r' \d\d?(?:st|nd|rd|th)?,? \d{4}', False),
    ('month_d_y', MON_RE + r' \d\d?(?:st|nd|rd|th)?,? \d{4}', False),
    ('d_month_y', r'\d\d? ' + MON_RE + r',? \d{4}', False),
    ('d_mon_y', r'\d\d?-' + MON_RE + r'-\d{4}', False),
    ('mdy', r'\d\d?/\d\d?/\d{4}', True),
]
DATE_RES = [(name, re.compile(rx, re.I), body) for name, rx, body in DATE_FORMS]


def classify_date(text, search=False):
    for name, rx, _ in DATE_RES:
        m = rx.search(text) if search else rx.fullmatch(text.strip().strip('\'"'))
        if m:
            return name
    return None


def format_date(rng, form, d):
    """Write date d (datetime.date) in the named form, with a random time."""
    hh, mm, ss = rng.randrange(24), rng.randrange(0, 60, 5), rng.randrange(60)
    mon, wd = MONTHS[d.month - 1], WDAYS[d.weekday()]
    if form == 'iso':
        return '%04d-%02d-%02d' % (d.year, d.month, d.day)
    if form == 'iso_t':
        zone = 'Z' if rng.random() < 0.6 else '%+03d:00' % rng.randrange(-8, 10)
        return '%04d-%02d-%02dT%02d:%02d:%02d%s' % (d.year, d.month, d.day, hh, mm, ss, zone)
    if form == 'iso_hm':
        return '%04d-%02d-%02d %02d:%02d' % (d.year, d.month, d.day, hh, mm)
    if form == 'slash':
        return '%04d/%02d/%02d' % (d.year, d.month, d.day)
    if form == 'rfc2822':
        return '%s, %02d %s %04d %02d:%02d:%02d +0000' % (wd[:3], d.day, mon[:3], d.year, hh, mm, ss)
    if form == 'wday_long':
        return '%s, %s %d, %04d' % (wd, mon, d.day, d.year)
    if form == 'month_d_y':
        return '%s %d, %04d' % (mon if rng.random() < 0.7 else mon[:3], d.day, d.year)
    if form == 'd_month_y':
        return '%d %s %04d' % (d.day, mon, d.year)
    if form == 'd_mon_y':
        return '%d-%s-%04d' % (d.day, mon[:3], d.year)
    return '%d/%d/%04d' % (d.month, d.day, d.year)  # mdy


DAY0 = datetime.date(YEAR_MIN, 1, 1).toordinal()
DAYS = datetime.date(YEAR_MAX, 12, 31).toordinal() - DAY0 + 1


def random_day(rng):
    return datetime.date.fromordinal(DAY0 + rng.randrange(DAYS))


# ---------------------------------------------------------------------------
# Learning the source archive

CJK_RUN_RE = re.compile('[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+')
CJK_PUNCT = '，。、：；！？'
CJK_PUNCT_RE = re.compile('[' + CJK_PUNCT + ']')
LATIN_RE = re.compile(r'[A-Za-z][A-Za-z0-9.\-]*')
LINK_RE = re.compile(r'!?\[([^\]\n]*)\]\([^)\n]*\)')
ICODE_RE = re.compile(r'`([^`\n]+)`')
HTML_RE = re.compile(r'<[^>\n]*>')
SHORTCODE_RE = re.compile(r'\{\{[<%].*?[%>]\}\}')
URL_RE = re.compile(r'https?://\S+')
COMMENT_RE = re.compile(r'<!--.*?-->', re.S)
EMPH_RE = re.compile(r'\*\*[^*\n]+\*\*')
CLAUSE_RE = re.compile(r'[.,;:!?()"“”\[\]]+(?:\s|$)|\s[-–—]+\s|\*\*|\s\*|\*\s|\|')
SENT_RE = re.compile(r'(?<=[.!?])\s+')
WORD_OK = re.compile(r"[^\W_](?:[\w.'’/+:-]{0,22}[^\W_])?")
CODE_OK = re.compile(r'[A-Za-z0-9_.:/=+-]{1,40}')
SLUG_OK = re.compile(r'[a-z][a-z0-9]{1,14}')
TAG_OK = re.compile(r'[a-z0-9][a-z0-9-]{0,24}')
CMD_OK = re.compile(r'[a-z][a-z0-9._-]{0,20}')
YKEY_RE = re.compile(r'\s*-?\s*([A-Za-z][A-Za-z0-9_.-]{0,30}):(?:\s|$)')
FENCE_RE = re.compile(r' {0,3}(```+|~~~+)\s*([A-Za-z0-9_+-]*)')
HEAD_RE = re.compile(r'(#{1,6})\s+(.*?)\s*#*\s*$')
ITEM_RE = re.compile(r'(\s*)([-*+]|\d+[.)])\s+(.*)')
TSEP_RE = re.compile(r'\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$')
FMKEY_RE = re.compile(r'([A-Za-z_][\w-]*):\s*(.*)$')
EDGE = '"\'“”‘’()[]*_,.;:!?<>{}'
FOREIGN = {'fr', 'it', 'no', 'ko', 'zh', 'ja', 'de', 'es', 'pt', 'ru'}


class Learner:
    """Accumulates counts over the source archive; build() makes a Model."""

    def __init__(self):
        self.words = collections.Counter()
        self.pairs = collections.Counter()
        self.icode = collections.Counter()
        self.cmds = collections.Counter()
        self.ykeys = collections.Counter()
        self.fence = collections.Counter()
        self.tags = collections.Counter()
        self.fm_keys = collections.Counter()
        self.fm_dates = collections.Counter()
        self.head_dates = collections.Counter()
        self.levels = collections.Counter()
        self.blocks = collections.Counter()
        self.markers = collections.Counter()
        self.cjk = {'zh': collections.Counter(), 'ja': collections.Counter()}
        self.cjk_punct = {'zh': collections.Counter(), 'ja': collections.Counter()}
        self.sizes, self.para, self.sent, self.head = [], [], [], []
        self.items, self.item_words, self.code_lines = [], [], []
        self.trows, self.tcols, self.cjk_run, self.cjk_para = [], [], [], []
        self.files = self.bytes = self.with_fm = self.h1_first = 0
        self.tokens = self.links = self.icodes = self.emph = self.commas = 0
        self.nested = self.prompt = self.shell_lines = 0
        self.cjk_runs = self.cjk_latin = 0

    # -- one file -----------------------------------------------------------

    def add_file(self, path, raw):
        self.files += 1
        self.bytes += len(raw)
        if len(raw) <= NOTE_CAP:
            self.sizes.append(len(raw))
        parts = path.split(os.sep)
        lang = 'en'
        for p in parts:
            if p in FOREIGN:
                lang = p
                break
        text = raw.decode('utf-8', 'replace').replace('\r\n', '\n')
        if text.startswith('\ufeff'):
            text = text[1:]
        body = text
        if text.startswith('---\n'):
            end = text.find('\n---', 3)
            if end > 0:
                self.with_fm += 1
                self.front_matter(text[4:end])
                nl = text.find('\n', end + 4)
                body = text[nl + 1:] if nl >= 0 else ''
        body = COMMENT_RE.sub('', body)
        self.blocks_of(body, lang)

    def front_matter(self, fm):
        lines = fm.split('\n')
        for i, line in enumerate(lines):
            m = FMKEY_RE.match(line)
            if not m:
                continue
            key, val = m.group(1), m.group(2).strip()
            self.fm_keys[key] += 1
            if key in ('date', 'created'):
                form = classify_date(val)
                if form:
                    self.fm_dates[form] += 1
            elif key in ('tags', 'categories', 'keywords'):
                vals = []
                if val.startswith('['):
                    vals = val.strip('[]').split(',')
                elif val:
                    vals = val.split(',')
                else:
                    for nxt in lines[i + 1:]:
                        mm = re.match(r'\s*-\s+(.*)', nxt)
                        if not mm:
                            break
                        vals.append(mm.group(1))
                for v in vals:
                    v = v.strip().strip('\'"').lower()
                    if TAG_OK.fullmatch(v):
                        self.tags[v] += 1

    def blocks_of(self, body, lang):
        lines = body.split('\n')
        n = len(lines)
        i = 0
        para = []
        first = True
        cjk = lang in ('zh', 'ja')
        english = lang == 'en'

        def flush():
            if para:
                self.paragraph(' '.join(para), lang)
                if english:
                    self.blocks['para'] += 1
                para.clear()

        while i < n:
            line = lines[i]
            s = line.strip()
            if not s:
                flush()
                i += 1
                continue
            m = FENCE_RE.match(line)
            if m:
                flush()
                fence, info = m.group(1), m.group(2).lower()
                j = i + 1
                body = []
                while j < n and not lines[j].lstrip().startswith(fence):
                    body.append(lines[j])
                    j += 1
                if english:
                    self.code(info, body)
                    self.blocks['code'] += 1
                first = False
                i = j + 1
                continue
            m = HEAD_RE.match(line)
            if m:
                flush()
                level, htext = len(m.group(1)), m.group(2)
                if first and level == 1:
                    self.h1_first += 1
                elif english:
                    self.levels[level] += 1
                form = classify_date(htext, search=True)
                if form:
                    self.head_dates[form] += 1
                toks = self.inline(htext, lang)
                if english:
                    self.head.append(toks)
                    self.blocks['heading'] += 1
                first = False
                i += 1
                continue
            if s.startswith('|') and i + 1 < n and TSEP_RE.match(lines[i + 1]):
                flush()
                cols = max(1, s.strip('|').count('|') + 1)
                j = i + 2
                while j < n and '|' in lines[j] and lines[j].strip():
                    self.inline(lines[j].replace('|', ' '), lang)
                    j += 1
                if english:
                    self.trows.append(j - i - 2)
                    self.tcols.append(cols)
                    self.blocks['table'] += 1
                first = False
                i = j
                continue
            m = ITEM_RE.match(line)
            if m and not para:
                flush()
                count = 0
                j = i
                while j < n:
                    mm = ITEM_RE.match(lines[j])
                    if mm:
                        count += 1
                        if len(mm.group(1)) >= 2:
                            self.nested += 1
                        self.markers[mm.group(2) if not mm.group(2)[0].isdigit() else '1.'] += 1
                        toks = self.paragraph(mm.group(3), lang, item=True)
                        if english:
                            self.item_words.append(toks)
                        j += 1
                    elif lines[j].startswith('  ') and lines[j].strip():
                        self.inline(lines[j], lang)
                        j += 1
                    else:
                        break
                if english:
                    self.items.append(count)
                    self.blocks['list'] += 1
                first = False
                i = j
                continue
            if s.startswith('>'):
                flush()
                j = i
                quote = []
                while j < n and lines[j].strip().startswith('>'):
                    quote.append(lines[j].strip().lstrip('> '))
                    j += 1
                self.paragraph(' '.join(quote), lang)
                if english:
                    self.blocks['quote'] += 1
                first = False
                i = j
                continue
            if s.startswith('{{') or s.startswith('<'):
                s = HTML_RE.sub(' ', SHORTCODE_RE.sub(' ', s)).strip()
                if not s:
                    flush()
                    i += 1
                    continue
            para.append(s)
            first = False
            i += 1
        flush()

    def inline(self, text, lang):
        """Strip inline Markdown, count tokens; returns the word count."""
        self.links += len(LINK_RE.findall(text))
        text = LINK_RE.sub(r' \1 ', text)
        for c in ICODE_RE.findall(text):
            self.icodes += 1
            c = c.strip()
            if CODE_OK.fullmatch(c) and '@' not in c:
                self.icode[c] += 1
        text = ICODE_RE.sub(' ', text)
        self.emph += len(EMPH_RE.findall(text))
        text = URL_RE.sub(' ', HTML_RE.sub(' ', SHORTCODE_RE.sub(' ', text)))
        if lang in ('zh', 'ja'):
            return self.cjk_text(text, lang)
        if lang != 'en':
            return len(text.split())
        self.commas += text.count(', ')
        nwords = 0
        for clause in CLAUSE_RE.split(text):
            toks = [t.strip(EDGE) for t in clause.split()]
            nwords += len(toks)
            good = [t if WORD_OK.fullmatch(t) and '@' not in t and not CJK_RUN_RE.search(t)
                    and 'http' not in t else None for t in toks]
            self.words.update(t for t in good if t)
            self.pairs.update(a + ' ' + b for a, b in zip(good, good[1:]) if a and b)
        self.tokens += nwords
        return nwords

    def cjk_text(self, text, lang):
        runs = CJK_RUN_RE.findall(text)
        if not runs:
            return 0
        self.cjk[lang].update(''.join(runs))
        self.cjk_punct[lang].update(CJK_PUNCT_RE.findall(text))
        for part in re.split('[' + CJK_PUNCT + ']', text):
            for r in CJK_RUN_RE.findall(part):
                self.cjk_run.append(len(r))
        self.cjk_runs += len(runs)
        self.cjk_latin += len(LATIN_RE.findall(text))
        nchars = sum(map(len, runs))
        return nchars

    def paragraph(self, text, lang, item=False):
        nw = self.inline(text, lang)
        if lang in ('zh', 'ja'):
            if not item and nw:
                self.cjk_para.append(nw)
            return nw
        if lang == 'en' and not item and nw:
            self.para.append(nw)
            for s in SENT_RE.split(text):
                k = len(s.split())
                if k:
                    self.sent.append(k)
        return nw

    def code(self, info, body):
        self.fence[info] += 1
        self.code_lines.append(len(body))
        fam = code_family(info)
        for line in body:
            if fam == 'shell':
                s = line.strip()
                if s.startswith('$ '):
                    self.prompt += 1
                    s = s[2:]
                if s:
                    self.shell_lines += 1
                    t = s.split()[0]
                    if CMD_OK.fullmatch(t):
                        self.cmds[t] += 1
            elif fam == 'yaml':
                m = YKEY_RE.match(line)
                if m:
                    self.ykeys[m.group(1)] += 1

    # -- model --------------------------------------------------------------

    def build(self):
        return Model(self)


def code_family(info):
    if info in ('yaml', 'yml'):
        return 'yaml'
    if info in ('shell', 'sh', 'bash', 'console', 'zsh', ''):
        return 'shell' if info else 'plain'
    if info in ('go', 'golang'):
        return 'go'
    if info == 'json':
        return 'json'
    if info == 'python':
        return 'python'
    return 'plain'


class Model:
    """Everything the generator draws from; built once, read-only after."""

    def __init__(self, L):
        if not L.words or not L.para:
            raise SystemExit('gen-corpus: the source archive has no English text to learn from')
        # Word pairs seen at least 8 times become two-word units, so phrases
        # such as "rolling update" occur at realistic rates; their counts are
        # taken off the single words so word frequencies stay as learned.
        words = collections.Counter(L.words)
        pairs = collections.Counter()
        for p, c in sorted(L.pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:30000]:
            if c < 8:
                break
            a, b = p.split(' ')
            take = min(c, words[a] - 1, words[b] - 1)
            if take >= 8:
                pairs[p] = take
                words[a] -= take
                words[b] -= take
        units = words + pairs
        self.vocab = len(L.words)
        self.units = counter_table(units)
        self.n_pairs = len(pairs)
        self.slugs = counter_table(collections.Counter(
            {w.lower(): c for w, c in L.words.items() if SLUG_OK.fullmatch(w.lower())}), limit=20000)
        self.icode = counter_table(L.icode) if L.icode else self.slugs
        self.cmds = counter_table(L.cmds, limit=200) if L.cmds else Table([('run', 1)])
        self.ykeys = counter_table(L.ykeys, limit=2000) if L.ykeys else self.slugs
        self.fence = counter_table(L.fence, limit=16) if L.fence else Table([('', 1)])
        # rates per word
        tok = max(1, L.tokens)
        self.link_rate = L.links / tok
        self.icode_rate = L.icodes / tok
        self.emph_rate = L.emph / tok
        self.comma_rate = L.commas / tok
        self.compound_rate = 0.004
        self.prompt_share = L.prompt / max(1, L.shell_lines)
        self.nested_share = L.nested / max(1, sum(L.items))
        self.markers = counter_table(L.markers) if L.markers else Table([('-', 1)])
        # distributions
        self.para = Dist(L.para, [40])
        self.sent = Dist([min(s, 60) for s in L.sent], [15])
        self.head = Dist([min(max(h, 1), 12) for h in L.head], [4])
        self.items = Dist([min(max(x, 1), 30) for x in L.items], [4])
        self.item_words = Dist([min(max(x, 1), 60) for x in L.item_words], [8])
        self.code_lines = Dist([min(max(x, 1), 80) for x in L.code_lines], [6])
        self.trows = Dist([min(max(x, 1), 40) for x in L.trows], [4])
        self.tcols = Dist([min(max(x, 2), 8) for x in L.tcols], [3])
        self.levels = counter_table(L.levels) if L.levels else Table([(2, 1)])
        self.blocks = counter_table(L.blocks)
        # CJK
        self.cjk = {}
        self.cjk_punct = {}
        for lang in ('zh', 'ja'):
            if L.cjk[lang]:
                self.cjk[lang] = counter_table(L.cjk[lang])
                self.cjk_punct[lang] = counter_table(L.cjk_punct[lang]) if L.cjk_punct[lang] \
                    else Table([('，', 3), ('。', 2)])
        self.cjk_langs = Table([(k, 3 if k == 'zh' else 2) for k in sorted(self.cjk)]) \
            if self.cjk else None
        self.cjk_run = Dist([min(r, 40) for r in L.cjk_run], [8])
        self.cjk_para = Dist([min(p, 600) for p in L.cjk_para], [80])
        self.cjk_latin = L.cjk_latin / max(1, L.cjk_runs)
        # front matter: learned shares, with floors so every key of a notes
        # archive shows up often enough to be searched for.
        nfm = max(1, L.with_fm)
        self.fm_share = L.with_fm / max(1, L.files)
        self.fm_title = max(0.9, L.fm_keys['title'] / nfm)
        self.fm_date = max(0.6, L.fm_keys['date'] / nfm)
        self.fm_tags = max(0.45, (L.fm_keys['tags'] + L.fm_keys['categories']) / nfm)
        self.fm_author = max(0.15, L.fm_keys['author'] / nfm)
        self.fm_status = max(0.10, L.fm_keys['status'] / nfm)
        self.h1_first = L.h1_first / max(1, L.files)
        fm_forms = collections.Counter(L.fm_dates)
        total = sum(fm_forms.values())
        for name, _, body in DATE_FORMS:   # variety floor: 5% of the learned mass each
            if not body:
                fm_forms[name] += max(1, total // 20)
        self.fm_dates = Table(sorted(fm_forms.items(), key=lambda kv: (-kv[1], kv[0])))
        hd = collections.Counter(L.head_dates)
        for name, _, _ in DATE_FORMS:
            hd[name] += 1
        self.head_dates = Table(sorted(hd.items(), key=lambda kv: (-kv[1], kv[0])))
        tags = [t for t, _ in sorted(L.tags.items(), key=lambda kv: (-kv[1], kv[0]))][:40]
        for w in self.slugs.items:          # pad the tag vocabulary to 60 words
            if len(tags) >= 60:
                break
            if len(w) >= 4 and w not in tags and w not in STOP:
                tags.append(w)
        self.tags = Table([(t, 1000000 // (r + 1)) for r, t in enumerate(tags)])
        arng = random.Random('authors')
        self.authors = Table([(synthetic_name(arng), 1000000 // (r + 1)) for r in range(300)])
        # note sizes: the learned distribution, scaled so that the mean of
        # all notes (large ones included) is TARGET_MEAN.
        self.sizes = Dist(L.sizes, [4000])
        self.learned_mean = self.sizes.mean
        regular = (TARGET_MEAN - LARGE_SHARE * (LARGE_MIN + LARGE_MAX) / 2) / (1 - LARGE_SHARE)
        lo, hi = 0.01, 10.0
        for _ in range(60):
            mid = (lo + hi) / 2
            m = sum(min(NOTE_CAP, s * mid) for s in self.sizes.v) / self.sizes.n
            lo, hi = (mid, hi) if m < regular else (lo, mid)
        self.scale = lo
        self.stats = L

    def describe(self):
        L = self.stats
        q = self.sizes.quantile
        return '\n'.join([
            'gen-corpus: learned from %d files, %.1f MB' % (L.files, L.bytes / 1e6),
            '  vocabulary %d words + %d two-word units; %d inline-code tokens; tags %d'
            % (self.vocab, self.n_pairs, len(self.icode), len(self.tags)),
            '  note bytes p10/p50/p90/mean %d/%d/%d/%.0f, scaled x%.3f (cap %d)'
            % (q(.1), q(.5), q(.9), self.learned_mean, self.scale, NOTE_CAP),
            '  paragraph words mean %.1f, sentence %.1f, heading %.1f, list items %.1f'
            % (self.para.mean, self.sent.mean, self.head.mean, self.items.mean),
            '  blocks %s' % dict(L.blocks.most_common()),
            '  per word: link %.4f inline-code %.4f bold %.4f comma %.4f'
            % (self.link_rate, self.icode_rate, self.emph_rate, self.comma_rate),
            '  front matter %.2f (title %.2f date %.2f tags %.2f author %.2f status %.2f); h1 first %.2f'
            % (self.fm_share, self.fm_title, self.fm_date, self.fm_tags, self.fm_author,
               self.fm_status, self.h1_first),
            '  fm date forms %s' % dict(L.fm_dates.most_common()),
            '  heading date forms %s' % dict(L.head_dates.most_common()),
            '  CJK chars zh %d distinct, ja %d distinct; run mean %.1f; latin per run %.2f'
            % (len(self.cjk.get('zh', ())), len(self.cjk.get('ja', ())), self.cjk_run.mean,
               self.cjk_latin),
            '  code fences %s' % dict(L.fence.most_common(8)),
        ])


STOP = {'the', 'and', 'that', 'this', 'with', 'from', 'have', 'will', 'they', 'there',
        'their', 'which', 'what', 'when', 'would', 'should', 'could', 'been', 'were',
        'also', 'into', 'more', 'than', 'then', 'them', 'some', 'each', 'other', 'about',
        'only', 'these', 'does', 'over', 'like', 'make', 'need', 'your', 'just', 'very'}


def synthetic_name(rng):
    """A made-up person name (no real people's names from the source)."""
    syl = ['ka', 'ri', 'to', 'mel', 'dan', 'sa', 'no', 'vi', 'len', 'mar', 'ta', 'ko',
           'el', 'an', 'jo', 'ber', 'li', 'ne', 'ra', 'go', 'mi', 'son', 'ha', 'ru']
    first = ''.join(rng.choice(syl) for _ in range(rng.randint(2, 3))).capitalize()
    last = ''.join(rng.choice(syl) for _ in range(rng.randint(2, 4))).capitalize()
    style = rng.random()
    if style < 0.6:
        return first + ' ' + last
    if style < 0.85:
        return (first[0] + last).lower()
    return first.lower()


def learn(source):
    L = Learner()
    paths = []
    for root, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
        for f in sorted(files):
            if f.endswith('.md') and not f.startswith('.'):
                paths.append(os.path.join(root, f))
    read = 0
    for p in paths:
        try:
            with open(p, 'rb') as fh:
                raw = fh.read(SOURCE_BUDGET - read + 1)
        except OSError:
            continue
        read += len(raw)
        L.add_file(os.path.relpath(p, source), raw)
        if read >= SOURCE_BUDGET:
            break
    if not L.files:
        raise SystemExit('gen-corpus: no *.md files under %s' % source)
    return L.build()


# ---------------------------------------------------------------------------
# Generation (M, the model, is a module global so forked workers share it)

M = None
TITLE_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,'’/+-]*")


def sentences(rng, w, end=True):
    """Capitalize and punctuate the word list w in place."""
    n = len(w)
    for _ in range(dither(rng, n * M.comma_rate)):
        j = rng.randrange(n)
        if w[j][-1:].isalnum():
            w[j] += ','
    pos = 0
    while pos < n:
        k = M.sent.sample(rng)
        e = min(n, pos + k) - 1
        w[pos] = w[pos][:1].upper() + w[pos][1:]
        if end or e < n - 1:
            t = w[e].rstrip(',')
            r = rng.random()
            w[e] = t + ('.' if r < 0.93 else '?' if r < 0.97 else ':' if r < 0.99 else '!')
        pos = e + 1


def slug(rng):
    return M.slugs.one(rng)


def url(rng):
    host = 'example.com' if rng.random() < 0.8 else 'example.org'
    k = rng.randint(1, 3)
    path = '/'.join(M.slugs.sample(rng, k))
    return '%s://%s/%s' % ('https' if rng.random() < 0.85 else 'http', host, path)


def compound(rng):
    a, b = slug(rng), slug(rng)
    r = rng.random()
    if r < 0.5:
        return a + '-' + b
    if r < 0.75:
        return a.capitalize() + b.capitalize() + (slug(rng).capitalize() if rng.random() < 0.4 else '')
    return a + '_' + b


def split_punct(word):
    """(core, trailing sentence punctuation) of a word."""
    core = word.rstrip('.,?:!')
    return core, word[len(core):]


def decorate(rng, w):
    """Inline code, compounds, bold and links at random places of the
    punctuated word list w: markup goes inside trailing punctuation and a
    link never spans a sentence end."""
    n = len(w)
    for _ in range(dither(rng, n * M.icode_rate)):
        j = rng.randrange(n)
        code = M.icode.one(rng) if rng.random() < 0.8 else compound(rng)
        w[j] = '`' + code + '`' + split_punct(w[j])[1]
    for _ in range(dither(rng, n * M.compound_rate)):
        j = rng.randrange(n)
        w[j] = compound(rng) + split_punct(w[j])[1]
    for _ in range(dither(rng, n * M.emph_rate)):
        j = rng.randrange(n)
        c, p = split_punct(w[j])
        if c and c[0] not in '*[`':
            w[j] = '**' + c + '**' + p
    for _ in range(dither(rng, n * M.link_rate)):
        j = rng.randrange(n)
        if w[j][:1] in '*[`':
            continue
        k, last = j, min(n, j + rng.randint(1, 3)) - 1
        while k < last and not split_punct(w[k])[1] and w[k + 1][:1] not in '*[`':
            k += 1
        c, p = split_punct(w[k])
        if c.endswith((')', '`', '*')):
            continue
        w[j] = '[' + w[j]
        c, p = split_punct(w[k])
        w[k] = c + '](' + url(rng) + ')' + p


def en_words(rng, n, end=True):
    w = M.units.sample(rng, max(1, n))
    sentences(rng, w, end)
    decorate(rng, w)
    return ' '.join(w)


def cjk_text(rng, lang, nchars, end=True):
    tbl = M.cjk[lang]
    chars = ''.join(tbl.sample(rng, max(1, nchars)))
    punct = M.cjk_punct[lang]
    out = []
    pos = 0
    n = len(chars)
    while pos < n:
        k = M.cjk_run.sample(rng) or 1
        out.append(chars[pos:pos + k])
        pos += k
        if rng.random() < M.cjk_latin:
            out.append(' ' + (M.units.one(rng) if rng.random() < 0.8 else compound(rng)) + ' ')
        if pos < n:
            out.append(punct.one(rng))
    if end:
        out.append('。')
    return ''.join(out)


class Note:
    """Builds one note as a list of blocks, tracking its size in bytes."""

    def __init__(self, rng, lang):
        self.rng = rng
        self.lang = lang          # 'en', 'zh' or 'ja'
        self.blocks = []
        self.size = 0

    def text(self, nwords, end=True):
        if self.lang == 'en':
            return en_words(self.rng, nwords, end)
        return cjk_text(self.rng, self.lang, nwords * 2, end)

    def para_text(self):
        if self.lang == 'en':
            return en_words(self.rng, M.para.sample(self.rng))
        return cjk_text(self.rng, self.lang, M.cjk_para.sample(self.rng))

    def heading_text(self):
        rng = self.rng
        if self.lang != 'en':
            return cjk_text(rng, self.lang, rng.randint(3, 12), end=False)
        w = M.units.sample(rng, M.head.sample(rng))
        if rng.random() < 0.05:
            w.append('`' + M.icode.one(rng) + '`')
        w[0] = w[0][:1].upper() + w[0][1:]
        if rng.random() < 0.3:
            w = [x[:1].upper() + x[1:] for x in w]
        return ' '.join(w)

    def add(self, block):
        self.blocks.append(block)
        self.size += len(block) + 2 if self.lang == 'en' else len(block.encode()) + 2

    # -- block kinds --------------------------------------------------------

    def heading(self, level=None):
        return '#' * (level or M.levels.one(self.rng)) + ' ' + self.heading_text()

    def list_block(self, n=None):
        rng = self.rng
        marker = M.markers.one(rng)
        out = []
        for i in range(n or M.items.sample(rng)):
            nested = i > 0 and rng.random() < M.nested_share
            mk = '%d.' % (i + 1) if marker == '1.' else marker
            k = M.item_words.sample(rng)
            out.append(('  ' + mk if nested else mk) + ' '
                       + self.text(k, end=k > 8 and rng.random() < 0.5))
        return '\n'.join(out)

    def code_block(self):
        rng = self.rng
        info = M.fence.one(rng)
        fam = code_family(info)
        n = M.code_lines.sample(rng)
        lines = []
        if fam == 'yaml':
            indent = 0
            for _ in range(n):
                key = M.ykeys.one(rng)
                if rng.random() < 0.25 and indent < 8:
                    lines.append(' ' * indent + key + ':')
                    indent += 2
                    continue
                r = rng.random()
                val = (slug(rng) if r < 0.5 else str(rng.randrange(1, 10000)) if r < 0.7
                       else '"' + compound(rng) + '"' if r < 0.9 else 'true')
                dash = '- ' if rng.random() < 0.1 else ''
                lines.append(' ' * indent + dash + key + ': ' + val)
                if indent and rng.random() < 0.25:
                    indent -= 2
        elif fam == 'shell':
            for _ in range(n):
                args = []
                for _ in range(rng.randint(0, 5)):
                    r = rng.random()
                    args.append('--' + slug(rng) + ('=' + slug(rng) if rng.random() < 0.4 else '')
                                if r < 0.3 else '-' + slug(rng)[0] if r < 0.4
                                else M.icode.one(rng) if r < 0.7 else slug(rng))
                cmd = ' '.join([M.cmds.one(rng)] + args)
                lines.append(('$ ' + cmd) if rng.random() < M.prompt_share else cmd)
        elif fam == 'go':
            name = compound(rng).replace('-', '_')
            lines.append('func %s(%s %s) error {' % (name, slug(rng), rng.choice(
                ['string', 'int', '*Config', 'context.Context', '[]byte'])))
            for _ in range(max(1, n - 2)):
                r = rng.random()
                if r < 0.4:
                    lines.append('\t%s := %s.%s(%s)' % (slug(rng), slug(rng),
                                                      slug(rng).capitalize(), slug(rng)))
                elif r < 0.7:
                    lines.append('\tif err != nil {\n\t\treturn fmt.Errorf("%s: %%w", err)\n\t}'
                                 % ' '.join(M.slugs.sample(rng, rng.randint(1, 4))))
                else:
                    lines.append('\t// ' + en_words(rng, rng.randint(3, 12), end=False))
            lines.append('\treturn nil\n}')
        elif fam == 'json':
            lines.append('{')
            k = max(1, n - 2)
            for j in range(k):
                v = rng.random()
                val = ('"%s"' % slug(rng) if v < 0.6 else str(rng.randrange(100000))
                       if v < 0.85 else 'true' if v < 0.95 else 'null')
                lines.append('  "%s": %s%s' % (M.ykeys.one(rng), val, ',' if j < k - 1 else ''))
            lines.append('}')
        elif fam == 'python':
            lines.append('def %s(%s):' % (compound(rng).replace('-', '_').lower(), slug(rng)))
            for _ in range(max(1, n - 1)):
                r = rng.random()
                lines.append('    %s = %s.%s(%s)' % (slug(rng), slug(rng), slug(rng), slug(rng))
                             if r < 0.7 else '    # ' + en_words(rng, rng.randint(3, 10), end=False))
        else:
            for _ in range(n):
                lines.append(' '.join(M.icode.sample(rng, rng.randint(1, 7))))
        return '```' + info + '\n' + '\n'.join(lines) + '\n```'

    def table(self):
        rng = self.rng
        cols, rows = M.tcols.sample(rng), M.trows.sample(rng)

        def cell(k):
            if self.lang != 'en':
                return cjk_text(rng, self.lang, rng.randint(2, 8), end=False)
            w = M.units.sample(rng, k)
            if rng.random() < 0.1:
                w[0] = '`' + M.icode.one(rng) + '`'
            return ' '.join(w)
        out = ['| ' + ' | '.join(cell(rng.randint(1, 2)).title() if self.lang == 'en'
                                 else cell(1) for _ in range(cols)) + ' |',
               '|' + '---|' * cols]
        for _ in range(rows):
            out.append('| ' + ' | '.join(cell(rng.randint(1, 4)) for _ in range(cols)) + ' |')
        return '\n'.join(out)

    def quote(self):
        return '> ' + self.para_text()

    def block(self, kind):
        if kind == 'para':
            return self.para_text()
        if kind == 'list':
            return self.list_block()
        if kind == 'heading':
            return self.heading()
        if kind == 'code':
            return self.code_block()
        if kind == 'table':
            return self.table()
        return self.quote()

    # -- whole notes --------------------------------------------------------

    def front_matter(self, title):
        rng = self.rng
        out = ['---']
        if rng.random() < M.fm_title:
            if rng.random() < 0.3 or not TITLE_PLAIN.fullmatch(title):
                title = '"' + title.replace('\\', '\\\\').replace('"', '\\"') + '"'
            out.append('title: ' + title)
        if rng.random() < M.fm_date:
            d = format_date(rng, M.fm_dates.one(rng), random_day(rng))
            if rng.random() < 0.1 and not d[:1].isalpha():
                d = "'" + d + "'"
            out.append('date: ' + d)
        if self.lang != 'en' and rng.random() < 0.6:
            out.append('lang: ' + self.lang)
        if rng.random() < M.fm_tags:
            tags = []
            for _ in range(rng.randint(1, 4)):
                t = M.tags.one(rng)
                if t not in tags:
                    tags.append(t)
            r = rng.random()
            if r < 0.5:
                out.append('tags:\n' + '\n'.join('- ' + t for t in tags))
            elif r < 0.85:
                out.append('tags: [' + ', '.join(tags) + ']')
            else:
                out.append('tags: ' + ', '.join(tags))
        if rng.random() < M.fm_author:
            out.append('author: ' + M.authors.one(rng))
        if rng.random() < M.fm_status:
            out.append('status: ' + rng.choice(STATUSES))
        out.append('---')
        return '\n'.join(out) + '\n'

    def fill(self, target, cap):
        """Add blocks until about target bytes (unbiased: the last block is
        kept with probability remaining/len), never past cap."""
        rng = self.rng
        prev = None
        while self.size < target:
            kind = M.blocks.one(rng)
            if kind == 'heading' and prev == 'heading':
                kind = 'para'
            b = self.block(kind)
            bl = len(b) + 2 if self.lang == 'en' else len(b.encode()) + 2
            if self.size + bl > target:
                if self.size + bl > cap or (self.blocks and rng.random() * bl > target - self.size):
                    if self.blocks:
                        break
                    b = b[:max(1, target - self.size)].rstrip()
            self.add(b)
            prev = kind

    def body(self):
        return '\n\n'.join(self.blocks) + '\n'


STATUSES = ['draft', 'draft', 'wip', 'review', 'done', 'done', 'published', 'archived']


def title_words(rng, lang):
    if lang != 'en':
        return cjk_text(rng, lang, rng.randint(4, 14), end=False)
    w = M.units.sample(rng, rng.randint(2, 7))
    w[0] = w[0][:1].upper() + w[0][1:]
    if rng.random() < 0.4:
        w = [x[:1].upper() + x[1:] for x in w]
    return ' '.join(w)


def make_regular(rng, target, lang):
    note = Note(rng, lang)
    title = title_words(rng, lang)
    head = ''
    if rng.random() < M.fm_share:
        head = note.front_matter(title)
    note.size = len(head.encode()) if lang != 'en' else len(head)
    if rng.random() < M.h1_first:
        note.add('# ' + title)
    note.fill(target, NOTE_CAP)
    return head + note.body()


def make_minutes(rng, target):
    """A meeting-minutes archive: dated sections, newest first."""
    note = Note(rng, 'en')
    group = ' '.join(w.capitalize() for w in M.slugs.sample(rng, rng.randint(1, 2)))
    title = group + ' ' + rng.choice(['Meeting Notes', 'Weekly Sync', 'Minutes', 'Standup Notes'])
    head = note.front_matter(title) if rng.random() < 0.5 else ''
    note.size = len(head)
    note.add('# ' + title)
    note.add(note.para_text())
    day = datetime.date.fromordinal(DAY0 + DAYS - 1 - rng.randrange(DAYS // 3))
    form = M.head_dates.one(rng)
    names = sorted(set(M.authors.sample(rng, rng.randint(5, 25))))
    while note.size < target and day.year >= YEAR_MIN:
        d = format_date(rng, form, day)
        note.add('## ' + rng.choice(['%s', '%s', 'Meeting %s', 'Agenda (%s)', '%s - weekly']) % d)
        note.add('**Attendees:** ' + ', '.join(rng.sample(names, min(len(names), rng.randint(2, 9)))))
        note.add('### Agenda')
        note.add(note.list_block(rng.randint(2, 7)))
        note.add('### Notes')
        for _ in range(rng.randint(1, 5)):
            note.add(note.block(rng.choice(['para', 'list', 'list', 'para', 'code'])))
        note.add('### Action items')
        note.add('\n'.join('- [ ] %s: %s' % (rng.choice(names), en_words(rng, rng.randint(3, 12), end=False))
                           for _ in range(rng.randint(1, 5))))
        day -= datetime.timedelta(days=rng.choice([7, 7, 7, 14]))
    return head + note.body()


def make_note(seed, i):
    """Note number i: a pure function of (seed, i) and the model."""
    rng = random.Random('%d:%d' % (seed, i))
    if rng.random() < LARGE_SHARE:
        return make_minutes(rng, rng.randint(LARGE_MIN, LARGE_MAX)), 'large'
    lang = 'en'
    if M.cjk_langs is not None and rng.random() < CJK_SHARE:
        lang = M.cjk_langs.one(rng)
    u = rng.random() * (M.sizes.n - 1)
    k = int(u)
    s = M.sizes.v[k] + (M.sizes.v[k + 1] - M.sizes.v[k]) * (u - k) if M.sizes.n > 1 else M.sizes.v[0]
    target = max(64, min(NOTE_CAP, int(s * M.scale)))
    return make_regular(rng, target, lang), lang


# ---------------------------------------------------------------------------
# Driver

JOB = {}


def leaf_path(out, leaf):
    return os.path.join(out, '%02d' % (leaf // 100), '%02d' % (leaf % 100))


def gen_leaf(leaf):
    out, n, seed, width = JOB['out'], JOB['n'], JOB['seed'], JOB['width']
    start, end = leaf * PER_DIR, min(n, (leaf + 1) * PER_DIR)
    d = leaf_path(out, leaf)
    os.makedirs(d, exist_ok=True)
    total = large = cjk = 0
    for i in range(start, end):
        text, kind = make_note(seed, i)
        data = text.encode('utf-8')
        with open(os.path.join(d, 'note-%0*d.md' % (width, i)), 'wb') as fh:
            fh.write(data)
        total += len(data)
        large += kind == 'large'
        cjk += kind in ('zh', 'ja')
    return end - start, total, large, cjk


def inside(path, root):
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def main():
    global M
    ap = argparse.ArgumentParser(
        description='Deterministic synthetic Markdown notes archive for benchmarks.')
    ap.add_argument('--notes', type=int, default=200000, help='number of notes (default 200000)')
    ap.add_argument('--seed', type=int, default=1, help='random seed, >= 0 (default 1)')
    ap.add_argument('--source', default=DEFAULT_SOURCE,
                    help='real archive to learn from (default %(default)s)')
    ap.add_argument('--jobs', type=int, default=min(2, os.cpu_count() or 1),
                    help='worker processes (output does not depend on it; default %(default)s)')
    ap.add_argument('--force', action='store_true',
                    help='write into a non-empty OUT_DIR (files of an earlier run are not removed)')
    ap.add_argument('--stats', action='store_true', help='print the learned statistics to stderr')
    ap.add_argument('out', metavar='OUT_DIR')
    a = ap.parse_args()
    if a.notes < 0 or a.seed < 0 or a.jobs < 1:
        ap.error('--notes and --seed must be >= 0, --jobs >= 1')
    for repo in (REPO, '/work/main'):
        if inside(a.out, repo):
            ap.error('refusing to write inside the repository (%s)' % repo)
    if not os.path.isdir(a.source):
        ap.error('no source archive at %s' % a.source)
    if os.path.exists(a.out):
        if not os.path.isdir(a.out):
            ap.error('%s exists and is not a folder' % a.out)
        if os.listdir(a.out) and not a.force:
            ap.error('%s is not empty (use --force to write into it anyway)' % a.out)
    t0 = time.monotonic()
    M = learn(a.source)
    t1 = time.monotonic()
    if a.stats:
        print(M.describe(), file=sys.stderr)
    os.makedirs(a.out, exist_ok=True)
    JOB.update(out=a.out, n=a.notes, seed=a.seed, width=max(6, len(str(max(0, a.notes - 1)))))
    leaves = range((a.notes + PER_DIR - 1) // PER_DIR)
    results = []
    if a.jobs == 1 or len(leaves) <= 1:
        results = [gen_leaf(x) for x in leaves]
    else:
        ctx = multiprocessing.get_context('fork')
        with ctx.Pool(a.jobs) as pool:
            results = list(pool.imap_unordered(gen_leaf, leaves, chunksize=1))
    t2 = time.monotonic()
    notes = sum(r[0] for r in results)
    total = sum(r[1] for r in results)
    print('gen-corpus: %d notes, %d bytes (%.1f MB, %d large, %d CJK) in %.1f s '
          '(learning %.1f s, %d jobs, seed %d) -> %s'
          % (notes, total, total / 1e6, sum(r[2] for r in results), sum(r[3] for r in results),
             t2 - t0, t1 - t0, a.jobs, a.seed, a.out), file=sys.stderr)


if __name__ == '__main__':
    main()
