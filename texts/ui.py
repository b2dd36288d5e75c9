"""User-facing strings: ui area (see texts/__init__.py). Keys start with "ui."."""

_GROUPS = {
    1: ("Công khai, minh bạch", "1. Công khai"),
    2: ("Tiến độ giải quyết", "2. Tiến độ"),
    3: ("Dịch vụ công trực tuyến", "3. DVC trực tuyến"),
    4: ("Thanh toán trực tuyến", "4. Thanh toán TT"),
    5: ("Mức độ hài lòng", "5. Hài lòng"),
    6: ("Số hóa hồ sơ", "6. Số hóa"),
}

_STATUS = {
    1: "Nộp trực tuyến, chưa tiếp nhận",
    2: "Đã tiếp nhận",
    3: "Từ chối tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung",
    6: "Yêu cầu thanh toán",
    7: "Công dân rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}

STRINGS: dict[str, str] = {
    # app and navigation
    "ui.app.title": "Bảng điều hành cải cách thủ tục hành chính",
    "ui.nav.overview": "Tổng quan",
    "ui.nav.departments": "Sở, ban, ngành",
    "ui.nav.districts": "Địa phương",
    "ui.nav.trends": "Xu hướng",
    "ui.nav.lagging": "Đơn vị chậm tiến độ",
    "ui.nav.unit": "Chi tiết đơn vị",
    # database state
    "ui.db.unreachable": "Không kết nối được cơ sở dữ liệu ({url}). Kiểm tra đường dẫn, máy chủ "
    "và quyền truy cập.",
    "ui.db.empty": "Cơ sở dữ liệu ({url}) chưa có dữ liệu hồ sơ để tính Bộ chỉ số.",
    "ui.db.how_to_fix": "Để xem thử bảng điều hành, tạo dữ liệu mẫu bằng lệnh sau (chạy trong "
    "thư mục dự án), rồi tải lại trang:",
    "ui.db.config_hint": "Địa chỉ cơ sở dữ liệu lấy từ biến môi trường REFORM_DB_URL, hoặc mục "
    "[database] url trong .streamlit/secrets.toml, mặc định là data/reform.db.",
    "ui.db.creating_demo": "Lần chạy đầu tiên: đang tạo dữ liệu mẫu (khoảng một phút)…",
    "ui.db.demo_created": "Đã tạo dữ liệu mẫu. Số liệu là minh họa, không phải số liệu thật.",
    "ui.db.demo_failed": "Không tạo được dữ liệu mẫu tự động ({error}).",
    # filters and periods
    "ui.filters.title": "Bộ lọc",
    "ui.filters.week": "Tuần",
    "ui.filters.period": "Kỳ tính điểm",
    "ui.filters.period_help": "Lũy kế từ đầu năm là cách tỉnh xếp hạng hằng tuần; tuần, tháng, "
    "quý tính riêng cho kỳ chứa tuần đã chọn.",
    "ui.filters.level": "Cấp đơn vị",
    "ui.filters.level_help": "Cấp dùng cho các trang Xu hướng và Đơn vị chậm tiến độ.",
    "ui.period.week": "Tuần",
    "ui.period.month": "Tháng",
    "ui.period.quarter": "Quý",
    "ui.period.ytd": "Lũy kế từ đầu năm",
    "ui.week_choice": "Tuần {week}/{year} · {start}–{end}",
    "ui.week_short": "tuần {week}/{year}",
    "ui.period_caption": "Kỳ: {kind}, từ {start} đến {end}",
    "ui.freshness": "Dữ liệu đến hết ngày {date}",
    # the dashboard reads a PostgreSQL replica (REFORM_DB_READ_URL) that is behind its primary
    "ui.replica.lag": "Số liệu đọc từ bản sao, chậm {lag} so với máy chủ chính",
    "ui.replica.lag_help": "Bảng điều hành đọc một bản sao chỉ đọc của cơ sở dữ liệu; số liệu vừa "
    "nhập hoặc tổng hợp trên máy chủ chính sẽ hiện khi bản sao cập nhật xong.",
    "duration.under_second": "dưới 1 giây",
    "duration.second": "{n} giây",
    "duration.minute": "{n} phút",
    "duration.hour": "{n} giờ",
    "duration.day": "{n} ngày",
    "ui.notice.bad_week": "Không có dữ liệu tuần «{value}» trong liên kết; đang hiển thị tuần "
    "mới nhất.",
    "ui.notice.malformed_week": "Tuần «{value}» trong liên kết không đúng dạng (ví dụ 2024-W52); "
    "đang hiển thị tuần mới nhất.",
    "ui.notice.bad_period": "Kỳ «{value}» trong liên kết không hợp lệ (week, month, quarter, "
    "ytd); đang dùng lũy kế từ đầu năm.",
    "ui.notice.level_ended": (
        "{level} không còn trong kỳ đã chọn (cấp này chỉ tồn tại đến {end}); đang hiển thị {shown}."
    ),
    "ui.notice.level_not_yet": (
        "{level} chưa có trong kỳ đã chọn (cấp này có từ {start}); đang hiển thị {shown}."
    ),
    "ui.notice.bad_level": "Cấp «{value}» trong liên kết không có; đang dùng cấp mặc định.",
    "ui.notice.bad_proc": "Không có hồ sơ quá hạn của thủ tục «{value}» ở đơn vị và kỳ đang "
    "xem; đang hiển thị tất cả hồ sơ quá hạn.",
    "ui.notice.bad_field": "Không có hồ sơ quá hạn thuộc lĩnh vực «{value}» ở đơn vị và kỳ "
    "đang xem; đang hiển thị tất cả hồ sơ quá hạn.",
    "ui.notice.bad_lag_unit": "Đơn vị «{value}» trong liên kết không có trong danh sách chậm "
    "tiến độ của cấp đang xem; đang hiển thị đơn vị cần quan tâm nhất.",
    "ui.notice.bad_unit": "Không tìm thấy đơn vị mã «{value}» trong liên kết; hãy chọn đơn vị.",
    "ui.no_data": "Chưa có số liệu.",
    "ui.no_data_period": "Không có số liệu cho kỳ đã chọn.",
    "ui.no_activity": "không phát sinh",
    # columns
    "ui.col.rank": "Hạng",
    "ui.col.unit": "Đơn vị",
    "ui.col.level": "Cấp",
    "ui.col.total": "Tổng điểm",
    "ui.col.grade": "Xếp loại",
    "ui.col.delta_week": "Thay đổi",
    "ui.col.dossiers": "Số hồ sơ",
    "ui.col.trend": "Diễn biến 12 tuần",
    # league tables: short headers, so the whole table fits a 1366 px laptop (help says more)
    "ui.lcol.total": "Điểm",
    "ui.lcol.delta_week": "± điểm",
    "ui.lcol.rank_change": "± hạng",
    "ui.lcol.dossiers": "Hồ sơ",
    "ui.lcol.trend": "12 tuần",
    "ui.gcol.legend": "{col} {name} ({max})",
    "ui.help.rank_change": "Thay đổi thứ hạng so với kỳ liền trước: ▲ lên hạng, ▼ xuống hạng.",
    "ui.help.dossiers": "Số hồ sơ tiếp nhận trong kỳ.",
    "ui.col.component": "Chỉ tiêu",
    "ui.col.ratio": "Tỷ lệ",
    "ui.col.points": "Điểm / tối đa",
    "ui.col.points_lost": "Điểm bị mất",
    "ui.col.win_back": "Cần làm gì để lấy lại điểm",
    "ui.col.dossier_code": "Mã hồ sơ",
    "ui.col.procedure": "Thủ tục",
    "ui.col.procedure_code": "Mã TTHC",
    "ui.col.field": "Lĩnh vực",
    "ui.col.received": "Ngày tiếp nhận",
    "ui.col.due": "Hạn xử lý",
    "ui.col.days_overdue": "Số ngày quá hạn",
    "ui.col.status": "Trạng thái",
    # help texts
    "ui.help.total": "Tổng điểm Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định "
    "766/QĐ-TTg), thang 100 điểm.",
    "ui.help.delta_week": "Chênh lệch so với kỳ liền trước (tuần trước khi xem lũy kế).",
    "ui.help.group": "Nhóm {name}: tối đa {max} điểm.",
    "ui.help.trend": "Tổng điểm lũy kế từ đầu năm của 12 tuần gần nhất.",
    # KPI cards
    "ui.kpi.total": "Tổng điểm toàn tỉnh",
    "ui.kpi.vs_last_week": "so với kỳ trước",
    "ui.kpi.vs_last_period": "so với kỳ trước",
    "ui.kpi.grade_target": "Toàn {scope} xếp loại {grade}; mục tiêu tổng điểm {target}. Điểm tối "
    "đa của sáu nhóm: {maxima}.",
    # overview
    "ui.overview.title": "Tổng quan Bộ chỉ số 766",
    "ui.overview.trend": "Diễn biến điểm toàn {scope}",
    "ui.overview.trend_caption": "Điểm lũy kế từ đầu năm tại cuối mỗi tuần; đường nét đứt là "
    "mục tiêu.",
    "ui.overview.grades": "Phân bố xếp loại",
    "ui.overview.top5": "5 đơn vị dẫn đầu",
    "ui.overview.bottom5": "5 đơn vị cuối bảng",
    "ui.overview.movers": "Thay đổi lớn nhất so với kỳ trước",
    "ui.overview.movers_caption": "Sở, ban, ngành và địa phương có tổng điểm tăng hoặc giảm "
    "nhiều nhất.",
    "ui.overview.movers_up": "Tăng nhiều nhất",
    "ui.overview.movers_down": "Giảm nhiều nhất",
    "ui.overview.movers_table": "Bảng số liệu",
    "ui.overview.no_movers": "Không có đơn vị nào thay đổi theo chiều này.",
    # league tables
    "ui.departments.title": "Xếp hạng sở, ban, ngành",
    "ui.districts.title": "Xếp hạng {level}",
    "ui.districts.no_level": "Kỳ đã chọn không có cấp chính quyền địa phương nào được xếp hạng.",
    "ui.league.count": "{n} đơn vị. Bấm tiêu đề cột để sắp xếp.",
    "ui.league.click_hint": "Bấm tên đơn vị để mở trang chi tiết trong thẻ mới, hoặc chọn ô "
    "đầu dòng để mở ngay tại đây.",
    "ui.league.link_help": "Bấm tên để mở trang chi tiết của đơn vị.",
    # maps
    "ui.map.colour_by": "Tô màu bản đồ theo",
    "ui.map.alt": "Bản đồ các đơn vị, tô màu theo {metric}",
    "ui.map.grade_rank": "Xếp loại {grade} · Hạng {rank}",
    "ui.map.dossiers": "{n} hồ sơ",
    "ui.map.source_file": "Ranh giới hành chính: {file}",
    "ui.map.source_points": "Chưa cấu hình tệp ranh giới: mỗi đơn vị là một điểm tại trụ sở, "
    "kích thước theo số hồ sơ. Cấu hình REFORM_GEOJSON_DISTRICTS / REFORM_GEOJSON_COMMUNES hoặc "
    "mục [maps] trong .streamlit/secrets.toml.",
    "ui.map.file_missing": "Không tìm thấy tệp ranh giới {file}; bản đồ hiển thị điểm tại trụ "
    "sở.",
    "ui.map.file_invalid": "Tệp ranh giới không đọc được ({error}); bản đồ hiển thị điểm tại "
    "trụ sở.",
    "ui.map.missing_units": "{n} đơn vị không có ranh giới trong tệp: {names}.",
    "ui.map.attribution_default": "Ranh giới: thanglequoc/vietnamese-provinces-database (MIT), "
    "từ bản đồ sắp xếp ĐVHC 2025",
    "ui.map.colour_mode": "Tô màu theo",
    "ui.map.mode_score": "Điểm",
    "ui.map.mode_grade": "Xếp loại",
    "ui.map.legend_score": "Màu theo điểm: đỏ thấp nhất, vàng bằng mục tiêu, xanh cao nhất.",
    "ui.map.legend_min": "Thấp nhất {v}",
    "ui.map.legend_target": "Mục tiêu {v}",
    "ui.map.legend_max": "Cao nhất {v}",
    "ui.map.no_polygons": "Chưa có ranh giới cho các đơn vị này: xếp hạng theo {metric}. "
    "Bấm vào một thanh để mở đơn vị.",
    "ui.map.file_missing_default": "Không tìm thấy tệp ranh giới {file}; bản đồ dùng ranh giới "
    "có sẵn.",
    "ui.map.file_invalid_default": "Tệp ranh giới không đọc được ({error}); bản đồ dùng ranh giới "
    "có sẵn.",
    "ui.map.no_geo": "Chưa có tọa độ hay ranh giới để vẽ bản đồ.",
    "ui.map.legend_total": "Màu theo xếp loại: xanh đậm Xuất sắc, xanh Tốt, vàng Khá, cam "
    "Trung bình, đỏ Yếu. Bấm vào một đơn vị để xem chi tiết.",
    "ui.map.legend_ramp": "Màu theo tỷ lệ điểm đạt được: đỏ thấp, vàng trung bình, xanh cao. "
    "Bấm vào một đơn vị để xem chi tiết.",
    # trends
    "ui.trends.title": "Xu hướng điểm theo tuần",
    "ui.trends.units": "Đơn vị so sánh ({level} và toàn {scope})",
    "ui.trends.province": "Toàn {scope}",
    "ui.scope.province": "tỉnh",
    "ui.trends.province_before": "{name} (đến {end})",
    "ui.no_activity_unit": "Không phát sinh",
    "ui.no_activity_help": (
        "Không có hồ sơ và phản ánh, kiến nghị nào trong kỳ: không tính điểm, không xếp hạng, "
        "không xếp loại."
    ),
    "ui.unit.not_in_period": (
        "{name} không tồn tại vào cuối kỳ đã chọn ({end}); đơn vị có hiệu lực {span}."
    ),
    "ui.unit.span_from": "từ {start}",
    "ui.unit.span_to": "đến {end}",
    "ui.unit.span_between": "từ {start} đến {end}",
    "ui.unit.successors": "Từ {date}, đơn vị kế thừa: {links}.",
    "ui.unit.predecessors": "Từ {date}, hình thành từ: {links}.",
    "ui.unit.last_week": "Xem số liệu của đơn vị ở tuần cuối cùng còn hoạt động: {link}.",
    "ui.unit.scored_from": (
        "Đơn vị bắt đầu hoạt động từ {date}: điểm của kỳ đã chọn chỉ tính từ ngày đó."
    ),
    "ui.unit.predecessor_line": "Tiền thân (trước {date})",
    "ui.unit.predecessor_caption": (
        "Đường nét đứt trước {date}: lịch sử gộp của các đơn vị tiền thân ({names}), mỗi đơn vị "
        "tính theo tỷ lệ hồ sơ chuyển sang; là một đoạn riêng, không nối vào điểm của đơn vị."
    ),
    "ui.league.scored_from": (
        "{n} đơn vị bắt đầu hoạt động từ {date}: điểm kỳ này của các đơn vị đó tính từ ngày đó."
    ),
    "ui.trends.indicator": "Chỉ số",
    "ui.trends.week_only": "Chỉ số riêng từng tuần",
    "ui.trends.week_only_help": "Tắt: điểm lũy kế từ đầu năm (cách tỉnh xếp hạng). Bật: điểm "
    "chỉ của hồ sơ trong tuần đó, cho thấy tuần nào có biến động.",
    "ui.trends.weeks": "Số tuần",
    "ui.trends.pick": "Chọn ít nhất một đơn vị để xem xu hướng.",
    "ui.trends.caption_ytd": "Điểm lũy kế từ đầu năm tại cuối mỗi tuần. Nền màu là các mức "
    "xếp loại; đường nét đứt là mục tiêu.",
    "ui.trends.caption_week": "Điểm tính riêng cho từng tuần. Nền màu là các mức xếp loại; "
    "đường nét đứt là mục tiêu.",
    "ui.trends.table": "Bảng số liệu",
    # lagging units
    "ui.lagging.title": "Đơn vị chậm tiến độ",
    "ui.lagging.intro": "Cấp: {level}. Các đơn vị xếp theo mức độ cần quan tâm, cấp bách nhất "
    "trước, dựa trên điểm lũy kế từ đầu năm.",
    "ui.lagging.none": "Không có đơn vị nào chậm tiến độ trong tuần đã chọn.",
    "ui.lagging.pick": "Xem chi tiết đơn vị",
    "ui.lagging.open_unit": "Mở trang đơn vị",
    "ui.lagging.pareto_by": "Phân tích hồ sơ quá hạn theo",
    "ui.lagging.by.procedure": "Thủ tục",
    "ui.lagging.by.field": "Lĩnh vực",
    "ui.lagging.pareto_title": "Nguyên nhân hồ sơ quá hạn – {unit}",
    "ui.lagging.pareto_caption": "Mỗi thanh: số hồ sơ quá hạn · tỷ lệ cộng dồn. Các thanh màu "
    "đậm gây ra 80% số hồ sơ quá hạn: cần tập trung xử lý trước.",
    "ui.lagging.no_overdue": "Không có hồ sơ quá hạn trong kỳ đã chọn.",
    "ui.lagging.list_title": "Danh sách hồ sơ quá hạn – {unit}",
    "ui.lagging.pareto_click": "Bấm vào một thanh để lọc danh sách hồ sơ quá hạn bên dưới theo "
    "thanh đó.",
    "ui.lagging.filtered.procedure": "Đang lọc theo thủ tục: {name}",
    "ui.lagging.filtered.field": "Đang lọc theo lĩnh vực: {name}",
    "ui.lagging.filter_clear": "Bỏ lọc",
    "ui.lagging.download": "Tải danh sách (Excel)",
    "ui.lagging.sheet": "Hồ sơ quá hạn",
    # unit page
    "ui.unit.pick": "Đơn vị",
    "ui.unit.placeholder": "Chọn hoặc gõ tên đơn vị",
    "ui.unit.choose": "Chọn một đơn vị để xem điểm, các chỉ tiêu bị mất điểm và hồ sơ quá hạn.",
    "ui.unit.title": "{name}",
    "ui.unit.title_none": "Chi tiết đơn vị",
    "ui.unit.rank_of": "{rank}/{n}",
    "ui.rank_delta": "{n} bậc",
    "ui.rank_same": "giữ nguyên",
    "ui.unit.rank_help": "Hạng trong các đơn vị cùng cấp ({level}).",
    "ui.unit.biggest_losses": "Mất điểm nhiều nhất",
    "ui.unit.not_applicable": "Các chỉ tiêu {components} không áp dụng cho cấp này; điểm nhóm "
    "được quy đổi theo các chỉ tiêu còn lại.",
    "ui.unit.components": "Điểm từng chỉ tiêu và cách lấy lại điểm",
    "ui.unit.points_chart": "Điểm đạt và điểm bị mất",
    "ui.unit.trend": "Diễn biến tổng điểm (lũy kế từ đầu năm)",
    "ui.unit.overdue": "Hồ sơ quá hạn trong kỳ",
    "ui.unit.children": "{level} trực thuộc ({n})",
    # advice
    "ui.advice.full": "Đã đạt tối đa.",
    # charts
    "ui.chart.units": "Số đơn vị",
    "ui.chart.score": "Điểm",
    "ui.chart.week_end": "Cuối tuần",
    "ui.chart.target": "Mục tiêu",
    "ui.chart.overdue": "Hồ sơ quá hạn",
    "ui.chart.share": "Tỷ trọng",
    "ui.chart.cumulative": "Tỷ lệ cộng dồn",
    "ui.chart.focus": "Nhóm gây 80% quá hạn",
    "ui.chart.rest": "Còn lại",
    "ui.chart.points": "Điểm",
    "ui.chart.points_won": "Điểm đạt",
    "ui.chart.points_lost": "Điểm bị mất",
    "ui.chart.week_ends": "kết thúc {date}",
    "ui.chart.click_unit": "Bấm vào một điểm trên đường của đơn vị để mở trang đơn vị đó.",
    "ui.chart.click_bar_unit": "Bấm vào một thanh để mở trang đơn vị.",
    # meeting pack (briefing deck and workbook of the selected week)
    "ui.pack.prepare": "Lập tài liệu giao ban",
    "ui.pack.prepare_help": "Lập bài trình chiếu (PowerPoint) và sổ số liệu (Excel) của tuần "
    "đã chọn, theo điểm lũy kế từ đầu năm như tỉnh công bố.",
    "ui.pack.preparing": "Đang lập tài liệu giao ban {week}…",
    "ui.pack.deck": "Tải bài trình chiếu (.pptx)",
    "ui.pack.workbook": "Tải sổ số liệu (.xlsx)",
    "ui.pack.ready": "Tài liệu giao ban {week} đã sẵn sàng.",
    "ui.pack.failed": "Không lập được tài liệu giao ban: {error}",
    # presentation mode (present=1 in the URL)
    "ui.present.enter": "Chế độ trình chiếu",
    "ui.present.enter_help": "Toàn màn hình, chữ lớn, không có thanh bên; chuyển trang bằng "
    "nút Trước / Tiếp.",
    "ui.present.exit": "Thoát trình chiếu",
    "ui.present.prev": "Trước: {page}",
    "ui.present.next": "Tiếp: {page}",
    "ui.present.prev_none": "Trước",
    "ui.present.next_none": "Tiếp",
    "ui.present.step": "Trang {n}/{total}",
    "ui.present.part_title": "{page} ({n}/{total})",
    "ui.present.part_caption": "Phần {n}/{total}: hạng {first}–{last} trong {count} đơn vị.",
    "ui.present.back": "Quay lại trình chiếu",
}

for _i, (_name, _short) in _GROUPS.items():
    STRINGS[f"ui.group.group_{_i}"] = _name
    STRINGS[f"ui.gshort.group_{_i}"] = _short
    STRINGS[f"ui.gcol.group_{_i}"] = f"N{_i}"
for _code, _text in _STATUS.items():
    STRINGS[f"ui.status.{_code}"] = _text
