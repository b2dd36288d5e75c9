"""Reference content for the demo data: fields (lĩnh vực) and a plausible procedure catalogue.

Names follow the wording of real procedures in the national TTHC database, but the catalogue
(codes, durations, fees, online levels) is invented: it only has to look and behave like the
real one. Nothing here names a person.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# (code, name). Codes are short and stable so that tests and examples can refer to them.
FIELDS: list[tuple[str, str]] = [
    ("DDAI", "Đất đai"),
    ("HTICH", "Hộ tịch"),
    ("XDUNG", "Xây dựng"),
    ("DKKD", "Đăng ký kinh doanh"),
    ("CTHUC", "Chứng thực"),
    ("LDTBXH", "Lao động - Thương binh và Xã hội"),
    ("YTE", "Y tế"),
    ("GDDT", "Giáo dục và Đào tạo"),
    ("GTVT", "Giao thông vận tải"),
    ("MTRG", "Môi trường"),
    ("TPHAP", "Tư pháp"),
    ("NNGHIEP", "Nông nghiệp"),
    ("CTHUONG", "Công Thương"),
    ("VHOA", "Văn hóa, Thể thao và Du lịch"),
    ("TTTT", "Thông tin và Truyền thông"),
    ("DTU", "Đầu tư"),
    ("NVU", "Nội vụ"),
    ("TCHINH", "Tài chính"),
    ("KHCN", "Khoa học và Công nghệ"),
    ("NGVU", "Ngoại vụ"),
    ("DTOC", "Dân tộc"),
]
LAND_FIELD = "DDAI"

# Legal duration range (working days) by field; land and construction take longest.
LEGAL_DAYS: dict[str, tuple[int, int]] = {
    "DDAI": (10, 30),
    "HTICH": (1, 5),
    "XDUNG": (7, 20),
    "DKKD": (3, 5),
    "CTHUC": (1, 2),
    "LDTBXH": (5, 20),
    "YTE": (5, 30),
    "GDDT": (5, 15),
    "GTVT": (2, 10),
    "MTRG": (10, 30),
    "TPHAP": (3, 15),
    "NNGHIEP": (5, 15),
    "CTHUONG": (5, 15),
    "VHOA": (5, 15),
    "TTTT": (5, 15),
    "DTU": (5, 15),
    "NVU": (10, 30),
    "TCHINH": (5, 15),
    "KHCN": (5, 20),
    "NGVU": (3, 10),
    "DTOC": (5, 15),
}
# Fields whose procedures usually carry a fee or charge.
FEE_FIELDS = {"DDAI", "XDUNG", "DKKD", "CTHUC", "GTVT", "YTE", "CTHUONG", "MTRG", "TPHAP", "DTU"}

# Department procedures: department code -> (field, base names). Names starting with "Cấp "
# also get "Cấp lại", "Điều chỉnh" and "Gia hạn" variants, as real catalogues do.
DEPARTMENT_PROCEDURES: dict[str, tuple[str, list[str]]] = {
    "SCT": ("CTHUONG", [
        "Cấp Giấy phép kinh doanh bán buôn sản phẩm rượu",
        "Cấp Giấy phép sản xuất rượu công nghiệp",
        "Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu",
        "Cấp Giấy chứng nhận huấn luyện kỹ thuật an toàn vật liệu nổ công nghiệp",
        "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "Cấp Giấy phép hoạt động điện lực",
        "Đăng ký hoạt động khuyến mại",
        "Xác nhận đăng ký tổ chức hội chợ, triển lãm thương mại",
        "Thẩm định thiết kế xây dựng công trình công nghiệp",
    ]),
    "SNGV": ("NGVU", [
        "Cho phép tổ chức hội nghị, hội thảo quốc tế",
        "Cho phép sử dụng thẻ đi lại của doanh nhân APEC",
        "Xác nhận văn bản cử cán bộ đi công tác nước ngoài",
        "Tiếp nhận và xử lý hồ sơ xin phép cho phóng viên nước ngoài hoạt động",
        "Thẩm định đề án đoàn ra của tỉnh",
    ]),
    "SKHCN": ("KHCN", [
        "Cấp Giấy chứng nhận doanh nghiệp khoa học và công nghệ",
        "Cấp Giấy phép tiến hành công việc bức xạ",
        "Cấp Giấy chứng nhận đăng ký hoạt động khoa học và công nghệ",
        "Đăng ký kết quả thực hiện nhiệm vụ khoa học và công nghệ",
        "Thẩm định công nghệ dự án đầu tư",
        "Công bố sử dụng dấu định lượng",
    ]),
    "SNNPTNT": ("NNGHIEP", [
        "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông lâm thủy sản",
        "Cấp Giấy chứng nhận kiểm dịch động vật vận chuyển ra khỏi tỉnh",
        "Cấp Giấy phép khai thác thủy sản",
        "Cấp Giấy chứng nhận đăng ký tàu cá",
        "Cấp Giấy chứng nhận đủ điều kiện buôn bán thuốc bảo vệ thực vật",
        "Cấp Giấy chứng nhận đủ điều kiện buôn bán phân bón",
        "Phê duyệt phương án quản lý rừng bền vững",
        "Thẩm định thiết kế công trình thủy lợi",
    ]),
    "STP": ("TPHAP", [
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "Cấp Phiếu lý lịch tư pháp cho người nước ngoài cư trú tại Việt Nam",
        "Cấp Giấy đăng ký hoạt động văn phòng công chứng",
        "Cấp Thẻ công chứng viên",
        "Cấp Giấy đăng ký hoạt động của tổ chức hành nghề luật sư",
        "Cấp Giấy đăng ký hoạt động của Trung tâm tư vấn pháp luật",
        "Đăng ký hành nghề quản tài viên",
        "Cấp Chứng chỉ hành nghề đấu giá",
        "Thay đổi, cải chính hộ tịch có yếu tố nước ngoài",
    ]),
    "SNV": ("NVU", [
        "Thẩm định thành lập đơn vị sự nghiệp công lập",
        "Công nhận ban vận động thành lập hội",
        "Phê duyệt điều lệ hội",
        "Tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
        "Tặng danh hiệu Tập thể lao động xuất sắc",
        "Đăng ký hoạt động tôn giáo",
        "Thi tuyển công chức",
        "Cấp Chứng chỉ hành nghề lưu trữ",
    ]),
    "SGTVT": ("GTVT", [
        "Cấp đổi Giấy phép lái xe",
        "Cấp Giấy phép kinh doanh vận tải bằng xe ô tô",
        "Cấp phù hiệu xe ô tô kinh doanh vận tải",
        "Cấp Giấy phép lưu hành xe quá tải trọng, xe quá khổ giới hạn",
        "Cấp Giấy phép thi công công trình trên đường bộ đang khai thác",
        "Cấp Giấy phép đào tạo lái xe ô tô",
        "Đăng ký phương tiện thủy nội địa",
        "Chấp thuận xây dựng cùng thời điểm với cấp phép thi công",
    ]),
    "SGDDT": ("GDDT", [
        "Cấp Giấy phép hoạt động giáo dục kỹ năng sống",
        "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
        "Chỉnh sửa nội dung văn bằng, chứng chỉ",
        "Công nhận trường trung học đạt chuẩn quốc gia",
        "Cấp phép dạy thêm, học thêm ngoài nhà trường",
        "Thành lập trường trung học phổ thông tư thục",
        "Cho phép trung tâm ngoại ngữ, tin học hoạt động giáo dục",
    ]),
    "SVHTTDL": ("VHOA", [
        "Cấp Giấy phép kinh doanh dịch vụ lữ hành nội địa",
        "Cấp Giấy chứng nhận đủ điều kiện kinh doanh dịch vụ karaoke",
        "Cấp Thẻ hướng dẫn viên du lịch",
        "Công nhận hạng cơ sở lưu trú du lịch",
        "Cấp Giấy phép tổ chức biểu diễn nghệ thuật",
        "Cấp Giấy phép xây dựng tượng đài, tranh hoành tráng",
        "Cấp Giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao",
        "Thông báo tổ chức lễ hội",
    ]),
    "STTTT": ("TTTT", [
        "Cấp Giấy phép xuất bản bản tin",
        "Cấp Giấy phép hoạt động in",
        "Cấp Giấy phép thiết lập trang thông tin điện tử tổng hợp",
        "Cấp Giấy phép triển lãm tài liệu không kinh doanh",
        "Cấp Giấy phép nhập khẩu xuất bản phẩm không kinh doanh",
        "Đăng ký hoạt động cơ sở in",
    ]),
    "SKHDT": ("DKKD", [
        "Đăng ký thành lập doanh nghiệp tư nhân",
        "Đăng ký thành lập công ty trách nhiệm hữu hạn hai thành viên trở lên",
        "Đăng ký thành lập công ty cổ phần",
        "Đăng ký thay đổi người đại diện theo pháp luật",
        "Đăng ký thay đổi vốn điều lệ",
        "Thông báo tạm ngừng kinh doanh",
        "Giải thể doanh nghiệp",
        "Cấp Giấy chứng nhận đăng ký đầu tư",
        "Quyết định chủ trương đầu tư của Ủy ban nhân dân tỉnh",
        "Đăng ký thành lập hợp tác xã",
    ]),
    "SLDTBXH": ("LDTBXH", [
        "Cấp Giấy phép lao động cho người lao động nước ngoài",
        "Cấp Giấy phép hoạt động dịch vụ việc làm",
        "Giải quyết hưởng chế độ ưu đãi người có công",
        "Cấp Giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp",
        "Cấp Giấy phép hoạt động cho thuê lại lao động",
        "Đăng ký nội quy lao động",
        "Di chuyển hồ sơ người có công với cách mạng",
        "Tiếp nhận đối tượng bảo trợ xã hội vào cơ sở trợ giúp xã hội",
    ]),
    "STC": ("TCHINH", [
        "Thẩm định quyết toán dự án hoàn thành",
        "Đăng ký mã số đơn vị có quan hệ với ngân sách",
        "Quyết định giá thuộc thẩm quyền của tỉnh",
        "Xác lập quyền sở hữu toàn dân đối với tài sản",
        "Thanh lý tài sản công",
    ]),
    "BQLKKT": ("DTU", [
        "Cấp Giấy chứng nhận đăng ký đầu tư trong khu kinh tế",
        "Điều chỉnh dự án đầu tư trong khu công nghiệp",
        "Cấp Giấy phép xây dựng công trình trong khu công nghiệp",
        "Xác nhận đăng ký kế hoạch bảo vệ môi trường trong khu kinh tế",
        "Cấp Giấy phép lao động cho người nước ngoài làm việc trong khu công nghiệp",
        "Cấp Giấy chứng nhận xuất xứ hàng hóa",
    ]),
    "SYT": ("YTE", [
        "Cấp Chứng chỉ hành nghề khám bệnh, chữa bệnh",
        "Cấp Giấy phép hoạt động phòng khám chuyên khoa",
        "Cấp Chứng chỉ hành nghề dược",
        "Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược",
        "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm trong kinh doanh dịch vụ ăn uống",
        "Tiếp nhận hồ sơ công bố sản phẩm thực phẩm",
        "Cấp Giấy xác nhận nội dung quảng cáo mỹ phẩm",
        "Cấp Giấy phép hoạt động dịch vụ xoa bóp",
    ]),
    "STNMT": ("DDAI", [
        "Cấp Giấy chứng nhận quyền sử dụng đất cho tổ chức",
        "Giao đất, cho thuê đất cho tổ chức",
        "Chuyển mục đích sử dụng đất đối với tổ chức",
        "Đăng ký biến động quyền sử dụng đất của tổ chức",
        "Cấp Giấy phép khai thác khoáng sản",
        "Cấp Giấy phép khai thác nước mặt",
        "Cấp Giấy phép môi trường",
        "Thẩm định báo cáo đánh giá tác động môi trường",
        "Cấp Giấy phép xả nước thải vào nguồn nước",
        "Gia hạn sử dụng đất ngoài khu công nghệ cao",
    ]),
    "SXD": ("XDUNG", [
        "Cấp Giấy phép xây dựng công trình cấp đặc biệt, cấp I, cấp II",
        "Cấp Chứng chỉ năng lực hoạt động xây dựng",
        "Cấp Chứng chỉ hành nghề hoạt động xây dựng",
        "Thẩm định báo cáo nghiên cứu khả thi đầu tư xây dựng",
        "Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở",
        "Cấp Giấy phép di dời công trình",
        "Công nhận chủ đầu tư dự án nhà ở thương mại",
        "Thông báo nhà ở hình thành trong tương lai đủ điều kiện bán",
    ]),
    "BDT": ("DTOC", [
        "Công nhận người có uy tín trong đồng bào dân tộc thiểu số",
        "Xét duyệt hỗ trợ sinh viên dân tộc thiểu số",
        "Xác nhận thôn đặc biệt khó khăn",
        "Công nhận xã hoàn thành mục tiêu chương trình 135",
        "Phê duyệt dự án hỗ trợ phát triển sản xuất vùng đồng bào dân tộc",
    ]),
}

# District (cấp huyện) and commune (cấp xã) procedures: (field, name).
DISTRICT_PROCEDURES: list[tuple[str, str]] = [
    ("DDAI", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu cho hộ gia đình, cá nhân"),
    ("DDAI", "Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền"),
    ("DDAI", "Đăng ký biến động quyền sử dụng đất do chuyển nhượng, tặng cho, thừa kế"),
    ("DDAI", "Tách thửa hoặc hợp thửa đất"),
    ("DDAI", "Cấp đổi Giấy chứng nhận quyền sử dụng đất"),
    ("DDAI", "Đính chính Giấy chứng nhận đã cấp"),
    ("DDAI", "Giao đất, cho thuê đất cho hộ gia đình, cá nhân"),
    ("DDAI", "Thu hồi đất do người sử dụng đất tự nguyện trả lại"),
    ("DDAI", "Xóa đăng ký thế chấp quyền sử dụng đất"),
    ("DDAI", "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất"),
    ("DDAI", "Gia hạn sử dụng đất nông nghiệp của hộ gia đình, cá nhân"),
    ("DDAI", "Giải quyết tranh chấp đất đai thuộc thẩm quyền cấp huyện"),
    ("HTICH", "Đăng ký khai sinh có yếu tố nước ngoài"),
    ("HTICH", "Đăng ký kết hôn có yếu tố nước ngoài"),
    ("HTICH", "Thay đổi, cải chính, bổ sung thông tin hộ tịch"),
    ("HTICH", "Ghi vào Sổ hộ tịch việc ly hôn đã giải quyết ở nước ngoài"),
    ("HTICH", "Đăng ký khai tử có yếu tố nước ngoài"),
    ("CTHUC", "Chứng thực bản sao từ bản chính giấy tờ do cơ quan nước ngoài cấp"),
    ("CTHUC", "Chứng thực chữ ký người dịch"),
    ("CTHUC", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản"),
    ("CTHUC", "Chứng thực bản sao từ bản chính"),
    ("XDUNG", "Cấp Giấy phép xây dựng nhà ở riêng lẻ"),
    ("XDUNG", "Cấp Giấy phép xây dựng sửa chữa, cải tạo công trình"),
    ("XDUNG", "Thẩm định báo cáo kinh tế - kỹ thuật đầu tư xây dựng"),
    ("XDUNG", "Cấp Giấy phép xây dựng có thời hạn"),
    ("DKKD", "Đăng ký thành lập hộ kinh doanh"),
    ("DKKD", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh"),
    ("DKKD", "Tạm ngừng kinh doanh, tiếp tục kinh doanh của hộ kinh doanh"),
    ("DKKD", "Chấm dứt hoạt động hộ kinh doanh"),
    ("DKKD", "Đăng ký thành lập hợp tác xã"),
    ("LDTBXH", "Trợ cấp xã hội hằng tháng cho đối tượng bảo trợ xã hội"),
    ("LDTBXH", "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội"),
    ("LDTBXH", "Cấp giấy xác nhận khuyết tật"),
    ("LDTBXH", "Công nhận hộ nghèo, hộ cận nghèo phát sinh"),
    ("LDTBXH", "Giải quyết chế độ trợ cấp một lần đối với người có công"),
    ("CTHUONG", "Cấp Giấy phép bán lẻ sản phẩm rượu"),
    ("CTHUONG", "Cấp Giấy phép bán lẻ sản phẩm thuốc lá"),
    ("CTHUONG", "Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ khí dầu mỏ hóa lỏng"),
    ("MTRG", "Xác nhận đăng ký kế hoạch bảo vệ môi trường"),
    ("MTRG", "Đăng ký khai thác nước dưới đất"),
    ("YTE", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm dịch vụ ăn uống"),
    ("YTE", "Công nhận xã đạt tiêu chí quốc gia về y tế"),
    ("GDDT", "Thành lập trường mầm non, trường tiểu học công lập"),
    ("GDDT", "Chuyển trường đối với học sinh trung học cơ sở"),
    ("GDDT", "Cho phép trường tiểu học hoạt động giáo dục"),
    ("GDDT", "Công nhận trường mầm non đạt chuẩn quốc gia"),
    ("VHOA", "Công nhận danh hiệu Thôn văn hóa, Khu dân cư văn hóa"),
    ("VHOA", "Cấp Giấy phép kinh doanh dịch vụ karaoke"),
    ("VHOA", "Đăng ký hoạt động thư viện tư nhân có phục vụ cộng đồng"),
    ("TPHAP", "Công nhận báo cáo viên pháp luật cấp huyện"),
    ("TPHAP", "Giải quyết yêu cầu bồi thường tại cơ quan trực tiếp quản lý người thi hành công vụ"),
    ("NNGHIEP", "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai"),
    ("NNGHIEP", "Phê duyệt kế hoạch khuyến nông địa phương"),
    ("GTVT", "Cấp Giấy phép thi công công trình trên đường huyện"),
    ("GTVT", "Đăng ký phương tiện thủy nội địa lần đầu"),
    ("NVU", "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp huyện"),
    ("NVU", "Thành lập hội cấp huyện"),
    ("TCHINH", "Thẩm định quyết toán dự án hoàn thành sử dụng vốn ngân sách huyện"),
    ("DTOC", "Hỗ trợ đất ở, nhà ở cho hộ đồng bào dân tộc thiểu số nghèo"),
]

COMMUNE_PROCEDURES: list[tuple[str, str]] = [
    ("HTICH", "Đăng ký khai sinh"),
    ("HTICH", "Đăng ký kết hôn"),
    ("HTICH", "Đăng ký khai tử"),
    ("HTICH", "Cấp bản sao trích lục hộ tịch"),
    ("HTICH", "Xác nhận thông tin hộ tịch"),
    ("HTICH", "Đăng ký nhận cha, mẹ, con"),
    ("HTICH", "Đăng ký lại khai sinh"),
    ("HTICH", "Thay đổi, cải chính, bổ sung thông tin hộ tịch"),
    ("HTICH", "Đăng ký giám hộ"),
    ("HTICH", "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế"),
    ("CTHUC", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan Việt Nam cấp"),
    ("CTHUC", "Chứng thực chữ ký trong các giấy tờ, văn bản"),
    ("CTHUC", "Chứng thực hợp đồng, giao dịch liên quan đến quyền sử dụng đất, nhà ở"),
    ("CTHUC", "Chứng thực văn bản thỏa thuận phân chia di sản"),
    ("CTHUC", "Chứng thực di chúc"),
    ("CTHUC", "Sửa lỗi sai sót trong hợp đồng, giao dịch đã được chứng thực"),
    ("DDAI", "Hòa giải tranh chấp đất đai"),
    ("DDAI", "Xác nhận nguồn gốc, thời điểm sử dụng đất"),
    ("DDAI", "Tiếp nhận hồ sơ đăng ký biến động đất đai"),
    ("DDAI", "Xác nhận hiện trạng sử dụng đất"),
    ("DDAI", "Tiếp nhận hồ sơ cấp Giấy chứng nhận quyền sử dụng đất lần đầu"),
    ("LDTBXH", "Xác nhận hộ gia đình làm nông nghiệp có mức sống trung bình"),
    ("LDTBXH", "Đăng ký hoạt động cơ sở trợ giúp xã hội dưới 10 đối tượng"),
    ("LDTBXH", "Hỗ trợ người lao động mất việc làm"),
    ("LDTBXH", "Xác nhận hồ sơ đề nghị trợ cấp người có công"),
    ("LDTBXH", "Rà soát hộ nghèo, hộ cận nghèo thường xuyên"),
    ("LDTBXH", "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"),
    ("NNGHIEP", "Hỗ trợ giống cây trồng, vật nuôi khôi phục sản xuất"),
    ("NNGHIEP", "Xác nhận bảng kê lâm sản"),
    ("NNGHIEP", "Đăng ký khai thác gỗ rừng trồng"),
    ("VHOA", "Đăng ký tổ chức lễ hội cấp xã"),
    ("VHOA", "Công nhận Gia đình văn hóa"),
    ("VHOA", "Thông báo tổ chức lễ hội truyền thống"),
    ("TPHAP", "Thực hiện hòa giải ở cơ sở"),
    ("TPHAP", "Công nhận hòa giải viên"),
    ("TPHAP", "Công nhận tuyên truyền viên pháp luật"),
    ("NVU", "Đăng ký hoạt động tín ngưỡng"),
    ("NVU", "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã"),
    ("NVU", "Đăng ký sinh hoạt tôn giáo tập trung"),
    ("MTRG", "Tiếp nhận, xử lý phản ánh về ô nhiễm môi trường"),
    ("MTRG", "Đăng ký khai thác nước dưới đất quy mô hộ gia đình"),
    ("GDDT", "Cho phép nhóm trẻ, lớp mẫu giáo độc lập hoạt động"),
    ("GDDT", "Xét công nhận phổ cập giáo dục tiểu học"),
    ("XDUNG", "Xác nhận hiện trạng nhà ở"),
    ("YTE", "Hỗ trợ khám chữa bệnh cho người nghèo"),
    ("DTOC", "Xác nhận người dân tộc thiểu số vùng đặc biệt khó khăn"),
]

# Volume boost by field and level: land, civil status and certification dominate the desks.
FIELD_POPULARITY: dict[str, dict[str, float]] = {
    "district": {"DDAI": 6.0, "CTHUC": 3.0, "DKKD": 2.5, "HTICH": 1.0, "LDTBXH": 1.5, "XDUNG": 1.5},
    "commune": {"CTHUC": 6.0, "HTICH": 4.0, "DDAI": 3.0, "LDTBXH": 1.5},
}

_VARIANTS = ("Cấp lại ", "Điều chỉnh ", "Gia hạn ")


def _expand(names: list[str], variants: int) -> list[str]:
    """Add renewal/amendment variants of "Cấp ..." procedures, as real catalogues list them."""
    out: list[str] = []
    for n in names:
        out.append(n)
        if n.startswith("Cấp ") and not n.startswith("Cấp đổi"):
            rest = n[len("Cấp ") :]
            out.extend(v + rest for v in _VARIANTS[:variants])
    return out


def fields_frame() -> pd.DataFrame:
    return pd.DataFrame(FIELDS, columns=["code", "name"])


def procedures_frame(rng: np.random.Generator, department_codes: list[str]) -> pd.DataFrame:
    """The demo procedure catalogue with a popularity weight per procedure (not stored).

    Only departments present in the unit table get procedures, so another province's unit list
    still works (departments without a template get a few generic ones).
    """
    rows: list[tuple[str, str | None, str, str]] = []  # level, agency, field, name
    for dept in department_codes:
        field, names = DEPARTMENT_PROCEDURES.get(
            dept, ("NVU", ["Giải quyết kiến nghị thuộc thẩm quyền", "Cấp văn bản xác nhận"])
        )
        for name in _expand(names, 3):
            rows.append(("department", dept, field, name))
    for field, proc in DISTRICT_PROCEDURES:
        for name in _expand([proc], 1):
            rows.append(("district", None, field, name))
    for field, proc in COMMUNE_PROCEDURES:
        rows.append(("commune", None, field, proc))

    df = pd.DataFrame(rows, columns=["level", "agency_code", "field_code", "name"])
    n = len(df)
    # MaTTHC-like codes: "1.00xxxx" for procedures set by ministries, "2.00xxxx" for local ones.
    numbers = rng.choice(np.arange(1000, 14000), size=n, replace=False)
    prefix = np.where(rng.random(n) < 0.7, "1", "2")
    df["code"] = [f"{p}.{x:06d}" for p, x in zip(prefix, numbers, strict=True)]

    lo = df["field_code"].map(lambda f: LEGAL_DAYS[f][0]).to_numpy()
    hi = df["field_code"].map(lambda f: LEGAL_DAYS[f][1]).to_numpy()
    df["legal_days"] = rng.integers(lo, hi + 1)

    # Popularity: a Zipf-like weight, boosted for the fields that fill the one-stop desks.
    rank = rng.permutation(n) % 40 + 1
    boost = [
        FIELD_POPULARITY.get(lv, {}).get(f, 1.0)
        for lv, f in zip(df["level"], df["field_code"], strict=True)
    ]
    df["weight"] = np.asarray(boost) / rank**1.1

    # Popular procedures are more often offered online (the province digitised those first).
    popular = df["weight"] > df.groupby(["level", "agency_code"], dropna=False)["weight"].transform(
        "median"
    )
    u = rng.random(n)
    df["online_level"] = np.where(
        u < np.where(popular, 0.6, 0.35), 2, np.where(u < np.where(popular, 0.92, 0.75), 1, 0)
    )
    # Citizens' uptake of each online service varies a lot: some get almost no online
    # dossiers, which is what component 3.2 (online services actually used) measures.
    df["online_uptake"] = np.clip(rng.lognormal(-0.3, 0.9, n), 0.02, 3.0)
    fee_field = df["field_code"].isin(FEE_FIELDS).to_numpy()
    df["fee_bearing"] = (rng.random(n) < np.where(fee_field, 0.8, 0.15)).astype(int)
    df["online_payment"] = ((rng.random(n) < 0.75) & (df["fee_bearing"] == 1)).astype(int)
    df["certification"] = (df["field_code"] == "CTHUC").astype(int)
    df["issues_result"] = ((rng.random(n) < 0.88) | (df["certification"] == 1)).astype(int)
    return df
