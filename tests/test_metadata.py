"""Letter frames read from real letters (the seed, and the shared development letters)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from policykg.metadata import read_metadata
from policykg.text import to_match_text
from tests.conftest import SEED


def test_seed_letter_frame() -> None:
    text = to_match_text(SEED.read_text(encoding="utf-8"))
    md = read_metadata(text)
    assert md.proposal_number
    assert md.proposal_number.value == "20222149"
    assert md.proposal_title
    assert md.proposal_title.value.startswith("关于加大力度培育镶嵌在城乡地区")
    assert [(k, s.value) for k, s in md.proposers] == [("Deputy", "洪芹华")]
    assert md.replying
    assert text[md.replying.start : md.replying.end] == "广州市工业和信息化局"
    assert [text[a.start : a.end] for a in md.co_handlers] == ["市住房城乡建设局", "市地方金融监管局", "市供销总社", "市规划和自然资源局"]
    assert md.date == dt.date(2022, 6, 17)
    assert md.contact_person
    assert md.contact_person.value == "吴志"
    assert md.jurisdiction == "广州市"


# file, proposal number, proposers, co-handlers as written, jurisdiction
CASES = [
    ("cn_2022_mara_rural_industry_summary.txt", "4711", ["余维祥"], ["人力资源社会保障部", "国家自然科学基金委", "财政部", "科技部"], None),
    ("cn_2022_miit_sme_digital_transformation_proposal.txt", "03154", ["王一鸣"], ["财政部"], None),
    ("cq_2020_smart_industry_proposal.txt", "0310", ["甘联君"], ["市人力社保局", "市大数据发展局", "市招商投资局"], "重庆市"),
    ("gd_2019_sme_payment_arrears.txt", "1154", ["吴木生"], ["省财政厅", "省国资委"], "广东省"),
    ("gd_2021_sci_tech_transfer_smes.txt", "1260", ["周楚良"], ["省工业和信息化厅", "省市场监管局"], "广东省"),
    ("gz_2017_private_innovation_key_proposal.txt", "1022", ["市工商联"], ["市工业和信息化委", "教育局", "知识产权局", "金融工作局"], "广州市"),
    ("gz_2023_baiyun_economic_recovery_proposal.txt", "2023114", ["张昱"], ["区发展改革局", "区科工商信局", "民科园管委会"], "广州市白云区"),
    ("jy_nd_sme_digital_transformation_proposal.txt", "列3", ["刘建锋", "民革揭阳市支部"], [], "揭阳市"),
    ("ly_2021_5g_industry_integration.txt", "60", ["刘志军"], [], None),
    ("zs_2025_government_service_efficiency.txt", "2025134", ["史致男"], ["市人力资源社会保障局", "市自然资源局", "市公安局"], "中山市"),
]


@pytest.mark.parametrize(("name", "number", "proposers", "co_handlers", "jurisdiction"), CASES)
def test_shared_letter_frames(
    shared_letters: Path, name: str, number: str, proposers: list[str], co_handlers: list[str], jurisdiction: str | None
) -> None:
    text = to_match_text((shared_letters / name).read_text(encoding="utf-8"))
    md = read_metadata(text)
    assert md.proposal_number
    assert md.proposal_number.value == number
    assert [s.value for _, s in md.proposers] == proposers
    assert [text[a.start : a.end] for a in md.co_handlers] == co_handlers
    if jurisdiction:
        assert md.jurisdiction == jurisdiction


def test_replying_body_from_document_number(shared_letters: Path) -> None:
    text = to_match_text((shared_letters / "cq_2020_smart_industry_proposal.txt").read_text(encoding="utf-8"))
    assert read_metadata(text).replying_name == "重庆市经济和信息化委员会"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # 我厅; 省工业和信息化厅 牵头, 省财政厅 co-handles, 国务院办公厅 is national: the one left wrote it
        ("gd_2019_sme_payment_arrears.txt", "省工业和信息化厅"),
        ("jc_2025_green_food_industrial_park.txt", "区发改局"),  # 结合区发改局主要职能,我局…
        ("cn_2022_mara_rural_industry_summary.txt", None),  # 我部; every 部 named is a co-handler
        ("gz_2025_sci_tech_industry_integration.txt", None),  # 我局; the only 局 is a co-handler
    ],
)
def test_replying_body_behind_a_pronoun(shared_letters: Path, name: str, expected: str | None) -> None:
    text = to_match_text((shared_letters / name).read_text(encoding="utf-8"))
    assert read_metadata(text).replying_name == expected


FRAME = "张三代表:\n您提出的《关于加快发展的建议》(第1234号)收悉。经我局会同{co}研究,现答复如下:\n{body}\n"


@pytest.mark.parametrize(
    ("co", "body", "expected"),
    [
        ("市财政局", "近年来,市商务局出台了若干措施。", "市商务局"),
        ("市财政局", "市商务局和市民政局分别负责。", None),  # two candidates: unknown
        ("市财政局", "市发展改革委负责。", None),  # another ending: not a 局
        ("市商务局", "市商务局负责。", None),  # a co-handler does not write the reply
    ],
)
def test_pronoun_needs_exactly_one_candidate(co: str, body: str, expected: str | None) -> None:
    assert read_metadata(FRAME.format(co=co, body=body)).replying_name == expected
