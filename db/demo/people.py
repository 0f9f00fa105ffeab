"""Demo applicants: common Vietnamese names, Quảng Ngãi addresses, phones, ID numbers.

DEMO DATA. Family names are weighted roughly by their national frequency, with the
central-coast names (Võ, Huỳnh, Trương, Đinh) a little higher. ID numbers follow the
12-digit rule of domain.md: 051 (Quảng Ngãi) + sex/century digit + two digits of the birth
year + six random digits; phones use real mobile prefixes with random subscriber digits.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

FAMILY = (
    ("Nguyễn", 30), ("Trần", 10), ("Lê", 9), ("Phạm", 8), ("Võ", 7), ("Huỳnh", 6),
    ("Phan", 4), ("Trương", 3), ("Hoàng", 2), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 1), ("Đinh", 2), ("Lý", 1), ("Vũ", 1), ("Tạ", 1), ("Đoàn", 1),
    ("Lương", 1), ("Mai", 1), ("Cao", 1), ("Châu", 1),
)
MIDDLE_MALE = ("Văn", "Văn", "Văn", "Minh", "Đức", "Quang", "Hữu", "Công", "Thanh", "Ngọc",
               "Xuân", "Tấn", "Anh", "Quốc")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bích",
                 "Hồng", "Phương", "Diệu", "Thùy")
GIVEN_MALE = ("An", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hòa", "Hùng",
              "Huy", "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc", "Minh", "Nam",
              "Nghĩa", "Nhân", "Phát", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Tâm", "Thành",
              "Thắng", "Thiện", "Tiến", "Toàn", "Trí", "Trung", "Tuấn", "Tùng", "Việt", "Vinh")
GIVEN_FEMALE = ("An", "Anh", "Bích", "Châu", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh",
                "Hằng", "Hiền", "Hoa", "Huyền", "Hương", "Lan", "Liên", "Linh", "Loan", "Mai",
                "My", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo",
                "Thu", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến")

# Hamlets (thôn) of the demo commune and a few neighbouring places: DEMO DATA.
HAMLETS = ("Mỹ Lai", "Cổ Lũy", "Tư Cung", "Khê Thọ", "Trường Định", "An Kỳ", "Phú Quý",
           "Xuân Yên", "Kỳ Xuyên", "Thanh Khiết")
HOME = "xã Tịnh Khê, tỉnh Quảng Ngãi"
ELSEWHERE = ("phường Cẩm Thành, tỉnh Quảng Ngãi", "phường Nghĩa Lộ, tỉnh Quảng Ngãi",
             "xã Tịnh Sơn, tỉnh Quảng Ngãi", "xã Bình Sơn, tỉnh Quảng Ngãi",
             "phường Kon Tum, tỉnh Quảng Ngãi", "phường Đức Phổ, tỉnh Quảng Ngãi")

PHONE_PREFIXES = ("032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097",
                  "098", "070", "076", "077", "078", "079", "089", "090", "093", "081", "082",
                  "083", "084", "085", "088", "091", "094", "056", "058")

_FAMILY_NAMES = tuple(n for n, _ in FAMILY)
_FAMILY_WEIGHTS = tuple(w for _, w in FAMILY)


class PeopleMaker:
    """Makes applicant fields quickly from one seeded RNG (a million a minute or so)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._families = rng.choices(_FAMILY_NAMES, _FAMILY_WEIGHTS, k=4096)

    def person(self, today: date, min_age: int = 18, max_age: int = 80) -> dict:
        rng = self.rng
        female = rng.random() < 0.55          # women file a little more often at the desk
        family = self._families[rng.getrandbits(12)]
        if female:
            name = f"{family} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"
        else:
            name = f"{family} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
        age_days = rng.randint(min_age * 365, max_age * 365)
        birth = today - timedelta(days=age_days)
        century = 0 if birth.year < 2000 else 2
        digit = century + (1 if female else 0)
        id_number = f"051{digit}{birth.year % 100:02d}{rng.randrange(1_000_000):06d}"
        phone = "" if rng.random() < 0.04 else f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10_000_000):07d}"
        if rng.random() < 0.85:
            address = f"Thôn {rng.choice(HAMLETS)}, {HOME}"
        else:
            address = f"Tổ {rng.randint(1, 12)}, {rng.choice(ELSEWHERE)}"
        return {
            "full_name": name, "id_number": id_number, "birth_date": birth.isoformat(),
            "sex": "Nữ" if female else "Nam", "address": address, "phone": phone, "email": "",
        }
