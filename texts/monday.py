"""The overview's first screen (the Monday view): headline cards, bottom five, movers."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "mon.total": "Tổng điểm toàn {scope}",
    "mon.of_max": "/{max}",
    "mon.grade": "Xếp loại {grade}",
    "mon.vs_last.week": "so với tuần trước",
    "mon.vs_last.ytd": "so với tuần trước",
    "mon.vs_last.month": "so với tháng trước",
    "mon.vs_last.quarter": "so với quý trước",
    "mon.target": "Mục tiêu tổng điểm {target}.",
    "mon.no_change": "không đổi",
    "mon.bottom5": "5 đơn vị cuối bảng · {plural}",
    "mon.movers": "Thay đổi lớn nhất {since}",
    "mon.no_movers": "Không đơn vị nào thay đổi điểm so với tuần trước.",
    "mon.col.rank": "Hạng",
    "mon.col.unit": "Đơn vị",
    "mon.col.total": "Điểm",
    "mon.col.delta": "± điểm",
    "mon.col.rank_change": "± hạng",
    "mon.col.level": "Cấp",
    "mon.rank_change_help": "Thay đổi thứ hạng so với tuần trước: ▲ lên hạng, ▼ xuống hạng.",
    "mon.link_title": "Mở trang chi tiết {name}",
    "mon.details_below": "Diễn biến, phân bố xếp loại và 5 đơn vị dẫn đầu ở phía dưới.",
    "mon.unranked": "Không phát sinh",
}
