"""Letter → Extraction: typed mentions (with offsets) and the relations between them.

General rules over the letter's text, not lists fitted to one letter:
《》 titles are regulations; agency names follow their grammar (see ``agencies``); firms
are found by their cues (以X、Y为代表, 龙头, 链主, 带动A、B等一批…企业, …银行/集团/公司);
clusters by …产业集群 / …产业园 and enumerations (汽车、电子三大千亿级产业集群);
programs by quoted names and cue words (…行动/工程/计划/机制/改革/试点/政策/清单/基金/贷/平台).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

from policykg.agencies import find_agencies
from policykg.extract.clusters import find_clusters
from policykg.extract.firms import find_firms
from policykg.extract.model import Extraction, Mention, Relation
from policykg.extract.programs import find_programs, find_regulations
from policykg.extract.relations import (
    administrator_relations,
    cluster_relations,
    issuer_relations,
    offer_relations,
    platform_relations,
)
from policykg.ingest import Letter
from policykg.metadata import read_metadata
from policykg.text import mask_spans, split_sentences, to_match_text

__all__ = ["Extraction", "Mention", "Relation", "extract"]

_SESSION_HOLDER = re.compile("(?:政协|人大|人大常委会|人民代表大会|委员会)$")
_SESSION = re.compile(r"\s*第?[一二三四五六七八九十\d]+届(?:[一二三四五六七八九十\d]+次)?(?:会议|全体会议)?")


def extract(letter: Letter) -> Extraction:
    """Read metadata, entity mentions and relations from a letter."""
    text = to_match_text(letter.text)
    md = read_metadata(text)
    ex = Extraction(letter=letter, metadata=md, sentences=split_sentences(letter.text))
    titles = [(m.start(), m.end()) for m in re.finditer(r"《[^》\n]{1,150}》", text)]
    frame = [(md.salutation.start, md.salutation.end)] if md.salutation else []
    masked = mask_spans(text, titles + frame)
    ex.mentions += find_regulations(text, md)
    agencies = [Mention("Agency", a.start, a.end, text[a.start : a.end], a.prefix, a.pronoun,
                        rule="agency-pronoun" if a.pronoun else "agency-grammar", score=0.95 if a.pronoun else 0.9)
                for a in find_agencies(masked)]
    taken = mask_spans(masked, [(m.start, m.end) for m in agencies])
    # 市政协十四届一次会议, 区人大三届二次会议: the name of a session, not a body acting in the letter
    agencies = [m for m in agencies if not (_SESSION_HOLDER.search(m.name) and _SESSION.match(text, m.end))]
    ex.mentions += agencies
    # a proposal's own title (《关于…的建议》) names what it is about: its parks and firms are read too
    own = [(start, end) for start, end in titles if re.search("(?:建议|提案|议案)》$", text[start:end])]
    if own:  # the titles do not overlap: one pass over the text, not one copy of it per title
        chars = list(taken)
        for start, end in own:
            for k in range(start + 1, end - 1):
                if chars[k] != "□":
                    chars[k] = text[k]
        taken = "".join(chars)
    firms, firm_relations = find_firms(taken)
    ex.mentions += firms
    taken = mask_spans(taken, [(m.start, m.end) for m in firms])
    clusters = find_clusters(taken)
    ex.mentions += clusters
    # a programme's name may hold a park's (城区老工业区搬迁改造试点), so parks are not masked for it;
    # one that lies within a park's name is not a programme (the parks by start, with the furthest end so far)
    by_start = sorted((c.start, c.end) for c in clusters)
    starts, reach = [s for s, _ in by_start], list(accumulate((e for _, e in by_start), max))
    programs = [p for p in find_programs(taken, text)
                if not ((k := bisect_right(starts, p.start)) and reach[k - 1] >= p.end)]
    ex.mentions += programs
    ex.mentions.sort(key=lambda m: (m.start, m.end))
    ex.relations += firm_relations
    ex.relations += cluster_relations(text, ex)
    ex.relations += platform_relations(text, ex)
    ex.relations += issuer_relations(text, ex)
    ex.relations += administrator_relations(text, ex)
    offered = {(r.subject.start, r.object.start) for r in ex.relations if r.predicate == "offeredBy"}
    ex.relations += [r for r in offer_relations(text, ex) if (r.subject.start, r.object.start) not in offered]
    return ex
