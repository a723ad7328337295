"""Quotation rules: cues, content, form, speaker, resolution and nesting.

The rules are the guidelines' (§6): a cue from the speech-verb lexicon or a
headline colon; content after a colon to the end of the line, after a
complementizer to the end of the sentence, after «به گفته X،», or the noun
phrase of «از X خبر داد» / «بر X تاکید کرد»; the subject at the cue as speaker
(a name, a descriptor, a pronoun, or none), resolved to a registry entity.

Positions are indices into the article's flat token list, so content may run
over several sentences of a line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sokhan.annotate import lexicon as lx
from sokhan.annotate.gazetteer import Entry, Proposal, alias_key, flat_key
from sokhan.annotate.text import Article, Tok

UNKNOWN = "unknown"
_COMMAS = {"،", "٬", ",", "؛"}
_SENTENCE_END = {".", "!", "؟", "?", "…"}


@dataclass(frozen=True)
class Flat:
    """The article's tokens in one list, with sentence and line of each."""

    toks: tuple[Tok, ...]
    sent_of: tuple[int, ...]
    line_of: tuple[int, ...]
    sent_start: tuple[int, ...]
    sent_end: tuple[int, ...]

    @staticmethod
    def of(article: Article) -> Flat:
        """Flatten the sentences of an article."""
        toks: list[Tok] = []
        sent_of: list[int] = []
        line_of: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        for s in article.sentences:
            starts.append(len(toks))
            for t in s.tokens:
                toks.append(t)
                sent_of.append(s.index)
                line_of.append(s.line)
            ends.append(len(toks))
        return Flat(tuple(toks), tuple(sent_of), tuple(line_of), tuple(starts), tuple(ends))

    def key(self, g: int) -> str:
        """The key of token ``g`` or '' outside the article."""
        return self.toks[g].key if 0 <= g < len(self.toks) else ""

    def line_end(self, g: int) -> int:
        """One past the last token of the line of token ``g``."""
        line, e = self.line_of[g], g
        while e < len(self.toks) and self.line_of[e] == line:
            e += 1
        return e

    def line_start(self, g: int) -> int:
        """The first token of the line of token ``g``."""
        line, s = self.line_of[g], g
        while s > 0 and self.line_of[s - 1] == line:
            s -= 1
        return s


@dataclass(frozen=True)
class Speaker:
    """A speaker: token span (or None), kind and entity."""

    span: tuple[int, int] | None
    kind: str
    entity: str


@dataclass(frozen=True)
class Quote:
    """A proposed quotation over flat token indices (end-exclusive)."""

    cue: tuple[int, int]
    content: tuple[int, int]
    form: str
    speaker: Speaker
    addressee: str | None
    parent: int | None  # index into the quote list
    colon: bool = False


def _is_word(tok: Tok) -> bool:
    return any(c.isalnum() for c in tok.text)


def trim(flat: Flat, a: int, b: int) -> tuple[int, int] | None:
    """Content edges: first and last tokens with a letter or digit (guidelines §6.3).

    An opening «» whose closing mark lies inside the content stays in (it does not
    enclose the whole content), and so does a closing one opened inside.
    """
    while a < b and not _is_word(flat.toks[a]):
        if flat.key(a) == "«" and "»" in [flat.key(x) for x in range(a + 1, b - 1)] \
                and _is_word(flat.toks[a + 1]):
            closing = next(x for x in range(a + 1, b) if flat.key(x) == "»")
            if any(_is_word(flat.toks[x]) for x in range(closing + 1, b)):
                break
        a += 1
    while b > a and not _is_word(flat.toks[b - 1]):
        if flat.key(b - 1) == "»" and "«" in [flat.key(x) for x in range(a + 1, b - 1)]:
            opening = max(x for x in range(a, b) if flat.key(x) == "«")
            if opening > a:
                break
        b -= 1
    return (a, b) if a < b else None


def _complementizer(flat: Flat, g: int) -> int:
    """Length of the complementizer at ``g`` (0 when there is none)."""
    for comp in lx.COMPLEMENTIZERS:
        if all(flat.key(g + k) == w for k, w in enumerate(comp)):
            return len(comp)
    return 0


def _sentence_end(flat: Flat, g: int) -> int:
    return flat.sent_end[flat.sent_of[g]]


def _verbal_cue(flat: Flat, g: int) -> tuple[int, bool] | None:
    """End of a verbal cue starting at ``g`` and whether it is passive."""
    k, nxt = flat.key(g), flat.key(g + 1)
    if k in lx.SIMPLE_VERBS:
        if nxt in lx.NOT_AFTER_CUE or (nxt == "و" and flat.key(g + 2) in {"گو", "گوی"}):
            return None  # «گفت وگو» is talk, not a quotation
        end = g + 1
    elif k in lx.NOMINALS:
        light_at = g + 2 if nxt == "را" else g + 1
        light = flat.key(light_at)
        allowed = lx.NOMINAL_LIGHT.get(k, lx.LIGHT_VERBS)
        if light not in allowed:
            return None
        end = light_at + 1
    else:
        return None
    while flat.key(end) in lx.AUXILIARIES and flat.sent_of[min(end, len(flat.toks) - 1)] == \
            flat.sent_of[g]:
        end += 1
    passive = flat.key(end - 1) in {"شد", "شدند", "شده"} and k not in {"یادآور"}
    return end, passive


def _nominal_cue(flat: Flat, g: int) -> bool:
    return (flat.key(g), flat.key(g + 1)) in lx.NOMINAL_CUES


@dataclass(frozen=True)
class Context:
    """What speaker resolution needs from the entity layer."""

    mention_at: dict[int, Proposal]  # first flat token of each named mention
    mention_end: dict[int, int]
    types: dict[str, str]  # entity id -> type
    group_keys: dict[str, str]  # flat alias key -> group id
    iran: str | None
    roles: dict[tuple[str, str | None], str]  # (role, country) -> person
    known_roles: dict[tuple[str, str | None] | None, tuple[str, ...]]
    mentioned: dict[str, int]  # entity id -> mentions in this article


def _mention_starting(ctx: Context, g: int) -> Proposal | None:
    return ctx.mention_at.get(g)


def descriptor_end(flat: Flat, g: int, stop: int, ctx: Context | None = None) -> int:
    """End of a descriptor noun phrase starting with a role head at ``g``.

    It ends after its country («رئیس جمهور روسیه», «… دو کشور ایران و روسیه»,
    «وزیر خارجه کشورمان») or before a preposition, an adverb, punctuation or a verb.
    """
    e = g + 1
    while e < stop and e - g < 8:
        k = flat.key(e)
        if (k in lx.PREPOSITIONS or k in {"نیز", "همچنین", "که", "را", "هم", "ضمن"}
                or k in lx.ADVERBIALS - {"و"} or k in lx.PRONOUNS or not _is_word(flat.toks[e])
                or _verbal_cue(flat, e) or _nominal_cue(flat, e)):
            break
        if k in {"کشورمان", "ما"}:
            return e + 1
        if ctx is not None and e in ctx.mention_at:
            e = ctx.mention_end[e]
            if flat.key(e) == "و" and e + 1 in ctx.mention_at:
                continue
            return e
        e += 1
    while e > g + 1 and flat.key(e - 1) == "و":
        e -= 1
    return e


def find_subject(flat: Flat, ctx: Context, ws: int, we: int, *, source: bool = False
                 ) -> tuple[tuple[int, int], str] | None:
    """The earliest subject-like phrase in ``[ws, we)``: a name, a pronoun or a descriptor.

    With ``source`` (the complement of «به گفته», «طبق اعلام») a name of any type
    counts: there the phrase is the source by construction.
    """
    speaking = {"PERSON", "ORG", "FAC", "GPE", "NORP"} if source else {"PERSON", "ORG"}
    g = ws
    if flat.key(g) == "به" and flat.key(g + 1) == "گزارش":
        # «به گزارش X، …»: the credit line names the outlet, not the speaker
        comma = next((h for h in range(g, we) if flat.key(h) in _COMMAS), None)
        if comma is not None:
            g = comma + 1
    while g < we:
        k = flat.key(g)
        before = flat.key(g - 1) if g > ws else ""
        blocked = before in lx.PREPOSITIONS or before in {"همتای", "خود"}
        m = _mention_starting(ctx, g)
        if m is not None and not blocked and ctx.types.get(m.entity or "") in speaking \
                and flat.key(ctx.mention_end[g]) != "را":
            return (g, ctx.mention_end[g]), "name"
        if m is not None:
            g = ctx.mention_end[g]
            continue
        if k in lx.PRONOUNS and not blocked:
            return (g, g + 1), "pronoun"
        if k in lx.ROLE_HEADS and not blocked and k not in {"دولت", "مجلس", "کاخ"}:
            end = descriptor_end(flat, g, we, ctx)
            if flat.key(end) != "را":  # «وزرای خارجه را مکلف کردند»: the object
                return (g, end), "descriptor"
            g = end
            continue
        if k in lx.PREPOSITIONS:
            # skip the prepositional phrase's object: up to the next comma or preposition
            g += 1
            skipped = 0
            while g < we and skipped < 3 and flat.key(g) not in lx.PREPOSITIONS \
                    and _is_word(flat.toks[g]) and flat.key(g) not in lx.PRONOUNS \
                    and (flat.key(g),) not in lx.TITLES and g not in ctx.mention_at \
                    and flat.key(g) not in lx.ROLE_HEADS:
                g += 1
                skipped += 1
            continue
        g += 1
    return None


def _role(flat: Flat, ctx: Context, span: tuple[int, int]) -> tuple[str, str | None] | None:
    keys = "".join(flat.key(g) for g in range(*span))
    country = None
    for g in range(*span):
        m = ctx.mention_at.get(g)
        if m is not None and ctx.types.get(m.entity or "") == "GPE":
            country = m.entity
            break
    if country is None and ("کشورمان" in keys or "ایران" in keys):
        country = ctx.iran
    if keys.startswith("رئیسجمهور"):
        return "president", country or ctx.iran
    if keys.startswith("وزیر") and "خارجه" in keys:
        return "foreign-minister", country or ctx.iran
    if keys.startswith("سخنگو"):
        return "spokesperson", country or ctx.iran
    return None


def resolve_descriptor(flat: Flat, ctx: Context, span: tuple[int, int]) -> str:
    """A descriptor's entity: a group alias, or who holds the role in the article."""
    keys = flat_key(tuple(flat.key(g) for g in range(*span)))
    if keys in ctx.group_keys:
        return ctx.group_keys[keys]
    role = _role(flat, ctx, span)
    if role is not None and role in ctx.roles:
        return ctx.roles[role]
    # who held the role in the training articles, if this article names them
    present = [e for e in ctx.known_roles.get(role, ()) if e in ctx.mentioned]
    if present:
        return max(present, key=lambda e: (ctx.mentioned[e], e))
    return UNKNOWN


def role_map(flat: Flat, ctx_partial: Context) -> dict[tuple[str, str | None], str]:
    """Who holds which role, from appositions «ولادیمیر پوتین، رئیس جمهوری روسیه»."""
    roles: dict[tuple[str, str | None], str] = {}
    for g, m in sorted(ctx_partial.mention_at.items()):
        if ctx_partial.types.get(m.entity or "") != "PERSON":
            continue
        e = ctx_partial.mention_end[g]
        if flat.key(e) in _COMMAS:
            e += 1
        if flat.key(e) in lx.ROLE_HEADS and flat.sent_of[min(e, len(flat.toks) - 1)] == \
                flat.sent_of[g]:
            role = _role(flat, ctx_partial,
                         (e, descriptor_end(flat, e, _sentence_end(flat, e), ctx_partial)))
            if role is not None and m.entity:
                roles.setdefault(role, m.entity)
    return roles


def _plural(flat: Flat, cue: tuple[int, int]) -> bool:
    return any(flat.key(g).endswith("ند") for g in range(*cue))


def _addressee(flat: Flat, ctx: Context, ws: int, cue: tuple[int, int],
               parent_speaker: str | None) -> str | None:
    """The addressee named in the frame: «به من», «خطاب به X», «دیدار با X»."""
    if flat.key(cue[0] - 2) == "به" and flat.key(cue[0] - 1) == "من":
        return parent_speaker
    for g in range(ws, cue[0]):
        k = flat.key(g)
        if k == "خطاب" and flat.key(g + 1) == "به":
            m = ctx.mention_at.get(g + 2)
            if m is not None:
                return m.entity
        if k in {"دیدار", "دیداری", "ملاقات", "گفتگو", "گفتوگو"}:
            for h in range(g + 1, min(g + 5, cue[0])):
                t = h + 1 if flat.key(h) == "با" else h
                if flat.key(t) in {"آقای", "«"}:
                    t += 1
                m = ctx.mention_at.get(t)
                if m is not None and ctx.types.get(m.entity or "") == "PERSON":
                    return m.entity
                if flat.key(h) == "با" and flat.key(h + 1) == "همتای":
                    m = ctx.mention_at.get(h + 2)
                    if m is not None and m.entity:
                        nation = {"russians": "russia", "iranians": "iran"}.get(m.entity)
                        return ctx.roles.get(("president", nation))
    return None


def _content_rule(flat: Flat, g: int, cue_end: int, passive: bool,
                  bound: int) -> tuple[tuple[int, int], bool] | None:
    """Content of a verbal cue: after a colon, a complementizer, or a clause."""
    if flat.key(cue_end) == ":":
        span = trim(flat, cue_end + 1, min(flat.line_end(g), bound))
        return (span, True) if span else None
    comp = _complementizer(flat, cue_end)
    if comp:
        span = trim(flat, cue_end + comp, min(_sentence_end(flat, g), bound))
        return (span, False) if span else None
    k = flat.key(g)
    if passive or k in {"ادامه", "اضافه", "عنوان", "توضیح", "نام"}:
        return None
    if k in lx.SIMPLE_VERBS and k not in lx.CLAUSE_VERBS:
        return None  # «این گفته …», «خواست مردم …»: a noun, or a verb that needs «که»
    if k not in lx.SIMPLE_VERBS and flat.key(cue_end - 1).endswith("ه"):
        return None  # a participle without its auxiliary («خبر داده …») heads no clause
    nxt = flat.toks[cue_end] if cue_end < len(flat.toks) else None
    if nxt is not None and _is_word(nxt) and flat.sent_of[cue_end] == flat.sent_of[g]:
        span = trim(flat, cue_end, min(_sentence_end(flat, g), bound))
        return (span, False) if span else None
    return None


def _np_content(flat: Flat, g: int, ws: int) -> tuple[int, int] | None:
    """«از X خبر داد», «از X به عنوان Y نام برد», «بر X تاکید کرد»: X, without the preposition."""
    prep = lx.NP_CONTENT.get(flat.key(g))
    if prep is None:
        return None
    for h in range(ws, g):
        if flat.key(h) == prep and h + 1 < g:
            return trim(flat, h + 1, g)
    return None


def _form(flat: Flat, span: tuple[int, int], colon: bool, names: set[tuple[int, int]]) -> str:
    """Direct after a colon or for a whole clause in «»; mixed with a «» fragment (§6.4)."""
    if colon:
        return "direct"
    a, b = span
    before = flat.key(a - 1)
    after = flat.key(b) if flat.key(b) not in _SENTENCE_END else flat.key(b + 1)
    inner = [flat.key(g) for g in range(a, b)]
    if before == "«" and after == "»" and "«" not in inner and b - a >= 4:
        return "direct"
    # a «» fragment inside the content that is not a name or a title
    g = a
    while g < b:
        if flat.key(g) == "«":
            h = g + 1
            while h < b and flat.key(h) != "»":
                h += 1
            if (g + 1, h) not in names:
                return "mixed"
            g = h
        g += 1
    return "indirect"


def role_of_keys(keys: tuple[str, ...], country_of: dict[str, str],
                 iran: str | None) -> tuple[str, str | None] | None:
    """The (role, country) of a descriptor's token keys, as :func:`_role` reads it."""
    joined = "".join(keys)
    country = next((country_of[k] for k in keys if k in country_of), None)
    if country is None and "کشورمان" in joined:
        country = iran
    if joined.startswith("رئیسجمهور"):
        return "president", country or iran
    if joined.startswith("وزیر") and "خارجه" in joined:
        return "foreign-minister", country or iran
    if joined.startswith("سخنگو"):
        return "spokesperson", country or iran
    return None


def propose(article: Article, mentions: list[Proposal], entries: tuple[Entry, ...],
            known_roles: dict | None = None,
            ) -> tuple[list[Quote], Flat, list[Proposal], list[Entry]]:
    """Every quotation of an article, and the mentions with actors retyped.

    Returns:
        The quotations in cue order, the flat token list they index, the mentions
        with «کاخ کرملین»-like FAC names that speak retyped to their ORG entity, and
        the ORG entries proposed for such names when the registry has none.
    """
    flat = Flat.of(article)
    offset = flat.sent_start
    mention_at = {offset[m.sent] + m.i: m for m in mentions if m.entity is not None}
    mention_end = {offset[m.sent] + m.i: offset[m.sent] + m.j for m in mentions
                   if m.entity is not None}
    types = {e.id: e.type for e in entries}
    for m in mentions:
        if m.entity:
            types.setdefault(m.entity, m.type)
    group_keys: dict[str, str] = {}
    for e in entries:
        if e.is_group:
            for alias in sorted({e.name_fa, *e.aliases}):
                group_keys.setdefault(flat_key(alias_key(alias)), e.id)
    # «کشورمان» and a bare «رئیس جمهور» in the Iranian press mean Iran (guidelines §6.6)
    iran = next((e.id for e in entries if e.type == "GPE" and not e.is_group
                 and "ایران" in {e.name_fa, *e.aliases}), None)
    mentioned: dict[str, int] = {}
    for m in mentions:
        if m.entity:
            mentioned[m.entity] = mentioned.get(m.entity, 0) + 1
    ctx = Context(mention_at, mention_end, types, group_keys, iran, {}, known_roles or {},
                  mentioned)
    ctx = replace(ctx, roles=role_map(flat, ctx))
    names = {(a, mention_end[a]) for a in mention_at}

    found: list[tuple[tuple[int, int], bool, str]] = []  # cue, passive, kind
    n = len(flat.toks)
    g = 0
    while g < n:
        cue: tuple[int, int, bool, str] | None = None
        if _nominal_cue(flat, g):
            cue = (g, g + 2, False, "nominal")
        else:
            verbal = _verbal_cue(flat, g)
            if verbal is not None:
                cue = (g, verbal[0], verbal[1], "verbal")
        if cue is None and flat.key(g) == ":" and _headline_speaker(flat, ctx, g):
            cue = (g, g + 1, False, "headline")
        if cue is not None:
            found.append(((cue[0], cue[1]), cue[2], cue[3]))
            g = cue[1]
        else:
            g += 1

    quotes: list[Quote] = []
    for span, passive, kind in found:
        q = _build(flat, ctx, span, passive, kind, quotes, names)
        if q is not None:
            quotes.append(q)
    # retype a FAC name that speaks to the ORG entity of the same name (guidelines §4.9)
    retyped = list(mentions)
    new_orgs: list[Entry] = []
    by_key: dict[str, list[Entry]] = {}
    for e in entries:
        if not e.is_group:
            for alias in {e.name_fa, *e.aliases}:
                by_key.setdefault(flat_key(alias_key(alias)), []).append(e)
    for q in quotes:
        sp = q.speaker.span
        if sp is None or q.speaker.kind != "name" or sp[0] not in mention_at:
            continue
        m = mention_at[sp[0]]
        if m.type == "FAC":
            k = flat_key(tuple(flat.key(x) for x in range(*sp)))
            org = [e for e in by_key.get(k, []) if e.type == "ORG"]
            if org:
                ident = org[0].id
            else:  # the registry has the place only: propose the institution
                ident = f"{m.entity}-org"
                name = article.raw[flat.toks[sp[0]].raw_start:flat.toks[sp[1] - 1].raw_end]
                if all(e.id != ident for e in new_orgs):
                    new_orgs.append(Entry(ident, "ORG", name, (name,)))
            retyped = [replace(x, type="ORG", entity=ident) if x == m else x for x in retyped]
            fixed = {m.entity: ident}
            quotes = [replace(x, speaker=replace(x.speaker, entity=fixed.get(x.speaker.entity,
                                                                             x.speaker.entity)))
                      if x.speaker.span == sp else x for x in quotes]
    return quotes, flat, retyped, new_orgs


def _headline_speaker(flat: Flat, ctx: Context, g: int) -> bool:
    """A colon after nothing but a speaker name at the start of its line (guidelines §6.2)."""
    start = flat.line_start(g)
    h = start
    while h < g and ((flat.key(h),) in lx.TITLES or flat.key(h) in {"آیت", "الله"}):
        h += 1
    m = ctx.mention_at.get(h)
    if m is None or ctx.types.get(m.entity or "") not in {"PERSON", "ORG"}:
        return False
    if flat.key(start) in lx.CREDIT_WORDS:
        return False
    return ctx.mention_end[h] == g and g + 1 < flat.line_end(g)


def _build(flat: Flat, ctx: Context, cue: tuple[int, int], passive: bool, kind: str,
           earlier: list[Quote], names: set[tuple[int, int]]) -> Quote | None:
    g = cue[0]
    # the innermost earlier quotation whose content holds the cue
    parent = None
    for k in range(len(earlier) - 1, -1, -1):
        a, b = earlier[k].content
        if a <= g < b:
            parent = k
            break
    bound = earlier[parent].content[1] if parent is not None else len(flat.toks)
    sent_start = flat.sent_start[flat.sent_of[g]]
    if parent is not None:
        ws = max(sent_start, earlier[parent].content[0])
        for h in range(g - 1, ws - 1, -1):
            if flat.key(h) == "که" or flat.key(h) in _SENTENCE_END:
                ws = h + 1
                break
    else:
        ws = sent_start
        # a dateline «خبرگزاری میزان - …» is not the subject
        dash = [h for h in range(ws, min(ws + 6, g)) if flat.key(h) in {"-", "–", "—"}]
        if dash and flat.line_start(g) == sent_start:
            ws = dash[0] + 1
    # an earlier quotation in the same sentence at the same level ends this window
    same = [q for q in earlier if q.parent == parent and flat.sent_of[q.cue[0]] == flat.sent_of[g]
            and q.cue[0] < g]
    prev = same[-1] if same else None
    colon = False
    speaker: Speaker | None = None
    if kind == "headline":
        span = trim(flat, cue[1], flat.line_end(g))
        if span is None:
            return None
        content, colon = span, True
        h = flat.line_start(g)
        while h < g and h not in ctx.mention_at:
            h += 1
        m = ctx.mention_at[h]
        speaker = Speaker((h, ctx.mention_end[h]), "name", m.entity or UNKNOWN)
    elif kind == "nominal":
        pair = (flat.key(g), flat.key(g + 1))
        send = min(_sentence_end(flat, g), bound)
        if pair in lx.SPEAKER_AFTER:
            h = cue[1]
            while h < send and flat.key(h) not in _COMMAS:
                h += 1
            if h >= send:
                return None
            sub = find_subject(flat, ctx, cue[1], h, source=True)
            if sub is not None:
                speaker = _speaker(flat, ctx, sub, earlier, g)
            span = trim(flat, h + 1, send)
            if span is None:
                return None
            content = span
        else:
            h = cue[1]
            if flat.key(h) == "بر":
                h += 1
            comp = _complementizer(flat, h)
            if not comp:
                return None
            h += comp
            end = send
            # «با بیان اینکه X، گفت»: X stops at the comma before the next reporting verb
            for x in range(h, send):
                if _verbal_cue(flat, x) and flat.key(x - 1) in _COMMAS:
                    end = x - 1
                    break
            span = trim(flat, h, end)
            if span is None:
                return None
            content = span
    else:
        ws_np = max(ws, prev.cue[1]) if prev else ws
        np = _np_content(flat, g, ws_np) if flat.key(cue[1]) != ":" else None
        rule = None if np else _content_rule(flat, g, cue[1], passive, bound)
        if np is not None:
            content = np
        elif rule is not None:
            content, colon = rule
        elif flat.key(g) == "عنوان" and "را" in [flat.key(x) for x in range(ws_np, g)]:
            sub = find_subject(flat, ctx, ws_np, g)
            if sub is None:
                return None
            speaker = _speaker(flat, ctx, sub, earlier, g)
            span = trim(flat, sub[0][1], g)  # «X را Y عنوان کرد»: X را Y
            if span is None:
                return None
            content = span
        else:
            return None
        if passive:
            speaker = Speaker(None, "none", UNKNOWN)
    if speaker is None:
        window_start = max(ws, prev.cue[1], prev.content[1]) if prev and kind != "nominal" \
            else ws
        window_end = content[0] if content[0] < g and kind != "nominal" else g
        if kind == "verbal" and content[0] < g:
            window_end = max(window_start, content[0] - 1)
        sub = find_subject(flat, ctx, window_start, window_end)
        if sub is not None:
            speaker = _speaker(flat, ctx, sub, earlier, g)
        elif prev is not None:
            speaker = prev.speaker  # coordinated verbs and «با بیان …، گفت» share a frame
        elif kind == "verbal" and _plural(flat, cue):
            speaker = Speaker(None, "none", UNKNOWN)
        else:
            speaker = Speaker(None, "none", _previous_speaker(flat, ctx, earlier, g))
    if not colon:
        content = _stop_at_speaker(flat, ctx, content, speaker, earlier, parent)
    form = _form(flat, content, colon, names)
    parent_speaker = earlier[parent].speaker.entity if parent is not None else None
    addressee = _addressee(flat, ctx, ws, cue, parent_speaker)
    if addressee == UNKNOWN:
        addressee = None
    return Quote(cue, content, form, speaker, addressee, parent, colon)


def _speaker(flat: Flat, ctx: Context, sub: tuple[tuple[int, int], str],
             earlier: list[Quote], g: int) -> Speaker:
    span, kind = sub
    if kind == "name":
        return Speaker(span, kind, ctx.mention_at[span[0]].entity or UNKNOWN)
    if kind == "pronoun":
        if flat.key(span[0]) in lx.PLURAL_PRONOUNS:
            return Speaker(span, kind, UNKNOWN)
        return Speaker(span, kind, _previous_speaker(flat, ctx, earlier, g))
    return Speaker(span, kind, resolve_descriptor(flat, ctx, span))


def _previous_speaker(flat: Flat, ctx: Context, earlier: list[Quote], g: int) -> str:
    """A pronoun's or dropped subject's referent (guidelines §6.6).

    The speaker of the closest preceding top-level quotation; failing that, the
    first person named in the preceding sentence.
    """
    for q in reversed(earlier):
        if q.parent is None and q.speaker.entity != UNKNOWN:
            return q.speaker.entity
    s = flat.sent_of[g]
    for prev in range(s - 1, -1, -1):
        for h in range(flat.sent_start[prev], flat.sent_end[prev]):
            m = ctx.mention_at.get(h)
            if m is not None and ctx.types.get(m.entity or "") == "PERSON":
                return m.entity or UNKNOWN
    return UNKNOWN


def _stop_at_speaker(flat: Flat, ctx: Context, content: tuple[int, int], speaker: Speaker,
                     earlier: list[Quote], parent: int | None) -> tuple[int, int]:
    """End a clause's content before a clause whose subject is the speaker (guidelines §6.3).

    «… افزوده شده و از این نظر، آقای پوتین اظهار خرسندی کردند» ends at «افزوده شده»;
    «… اقدام کنند که بر این اساس بنده فردا …» ends at «اقدام کنند».
    """
    speakers = {speaker.entity}
    if parent is not None:
        speakers.add(earlier[parent].speaker.entity)
    speakers.discard(UNKNOWN)
    a, b = content
    for h in range(a + 2, b):
        m = ctx.mention_at.get(h)
        own = m is not None and m.entity in speakers
        first_person = flat.key(h) in {"بنده", "اینجانب"} and parent is not None
        if not (own or first_person):
            continue
        for x in range(h - 1, max(a, h - 7), -1):
            if flat.key(x) in {"و", "که"} or flat.key(x) in _COMMAS:
                while x > a and (flat.key(x - 1) in {"و", "که"} or not _is_word(flat.toks[x - 1])):
                    x -= 1
                cut = trim(flat, a, x)
                return cut if cut else content
    return content
