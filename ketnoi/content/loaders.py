"""Demo content: topics, sections and a few items through the real workflow. Idempotent: items are
keyed by their address (slug), topics and sections by code; running it twice changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ketnoi.core.audit import acting_as

from .models import ContentItem, Section, Topic

TOPICS = [
    ("chinh-sach-dan-toc", "Chính sách dân tộc", "Ethnic policy"),
    ("thong-tin-co-so", "Thông tin cơ sở", "Grassroots information"),
    ("chuyen-doi-so", "Chuyển đổi số", "Digital transformation"),
    ("van-hoa", "Văn hóa các dân tộc", "Cultures of the ethnic groups"),
]
SECTIONS = [
    ("tin-tuc", "Tin tức", "News", 1),
    ("chinh-sach", "Giải thích chính sách", "Policy explained", 2),
    ("thong-bao", "Thông báo", "Announcements", 3),
    ("thong-tin-doi-ngoai", "Thông tin đối ngoại", "Foreign information", 4),
]

NEWS = {
    "slug": "lao-cai-tap-huan-can-bo-thong-tin-co-so",
    "kind": "news",
    "title": "Lào Cai tập huấn cán bộ thông tin cơ sở vùng cao",
    "summary": "Cán bộ văn hóa xã ở các huyện vùng cao được bồi dưỡng cách viết tin ngắn và vận hành loa truyền thanh.",
    "body": (
        "<p>Trong hai ngày, hơn năm mươi cán bộ văn hóa, thông tin của các xã vùng cao đã tham gia lớp bồi dưỡng "
        "nghiệp vụ do tỉnh tổ chức. Học viên thực hành viết tin ngắn, chọn lời dễ hiểu và đọc bản tin trên loa.</p>"
        "<p>Nhiều xã đề nghị có thêm tài liệu bằng tiếng Mông và tiếng Dao. Ban tổ chức sẽ tổng hợp đề xuất để "
        "báo cáo trong kỳ sơ kết tới.</p>"
    ),
    "topics": ["thong-tin-co-so"],
    "section": "tin-tuc",
    "owner": "15",
    "author": "bientap.laocai",
}
EXPLAINER = {
    "slug": "hieu-dung-ve-chuong-trinh-922",
    "kind": "explainer",
    "title": "Hiểu đúng về chương trình tăng cường thông tin ở vùng dân tộc thiểu số",
    "summary": "Chương trình nhằm giúp người dân vùng sâu, vùng xa nhận thông tin chính thống kịp thời và dễ hiểu.",
    "body": (
        "<h2>Chương trình làm gì?</h2>"
        "<p>Chương trình phối hợp giữa các cơ quan để đưa thông tin về chính sách đến tận thôn, bản. "
        "Nội dung được biên soạn ngắn gọn và dịch sang tiếng dân tộc khi cần.</p>"
        "<h2>Ai được hưởng lợi?</h2>"
        "<ul><li>Người dân ở các xã, thôn đặc biệt khó khăn.</li>"
        "<li>Cán bộ cơ sở làm công tác thông tin, tuyên truyền.</li></ul>"
        "<p>Địa phương báo cáo kết quả định kỳ để cơ quan điều phối theo dõi tiến độ.</p>"
    ),
    "topics": ["chinh-sach-dan-toc", "thong-tin-co-so"],
    "section": "chinh-sach",
    "owner": None,
    "author": "bientap",
}
ANNOUNCEMENT = {
    "slug": "thong-bao-lich-phat-thanh-tieng-dan-toc",
    "kind": "announcement",
    "priority": "priority",
    "title": "Thông báo lịch phát bản tin tiếng dân tộc trên loa xã",
    "summary": "Từ tháng tới, bản tin tiếng dân tộc được phát vào buổi sáng và buổi tối.",
    "body": (
        "<p>Các đài truyền thanh xã phát bản tin tiếng dân tộc lúc sáu giờ sáng và bảy giờ tối. "
        "Trưởng thôn nhắc bà con theo dõi và phản ánh nếu loa không nghe rõ.</p>"
    ),
    "topics": ["thong-tin-co-so"],
    "section": "thong-bao",
    "owner": None,
    "author": "bientap",
}
FEATURE_SENTENCES = [
    # (Vietnamese source sentence, English, Thai)
    (
        "Ngày hội văn hóa các dân tộc vùng biên",
        "A festival of the border peoples' cultures",
        "เทศกาลวัฒนธรรมของชนเผ่าชายแดน",
    ),
    (
        "Các dân tộc vùng biên giới cùng nhau giới thiệu trang phục, âm nhạc và món ăn truyền thống.",
        "The ethnic groups of the border region present their traditional dress, music and food together.",
        "กลุ่มชาติพันธุ์ในเขตชายแดนร่วมกันนำเสนอเครื่องแต่งกาย ดนตรี และอาหารพื้นเมือง",
    ),
    (
        "Du khách được xem múa khèn và thử dệt thổ cẩm.",
        "Visitors watch the khen pipe dance and try brocade weaving.",
        "นักท่องเที่ยวได้ชมการเต้นรำแคนและทดลองทอผ้าพื้นเมือง",
    ),
    (
        "Ngày hội giúp bạn bè quốc tế hiểu thêm về đời sống của đồng bào.",
        "The festival helps friends from abroad learn more about the people's daily life.",
        "เทศกาลนี้ช่วยให้เพื่อนต่างชาติเข้าใจวิถีชีวิตของชาวบ้านมากขึ้น",
    ),
]
FEATURE = {
    "slug": "ngay-hoi-van-hoa-cac-dan-toc-vung-bien",
    "kind": "foreign_feature",
    "title": FEATURE_SENTENCES[0][0],
    "summary": FEATURE_SENTENCES[1][0],
    "body": f"<p>{FEATURE_SENTENCES[2][0]} {FEATURE_SENTENCES[3][0]}</p>",
    "topics": ["van-hoa"],
    "section": "thong-tin-doi-ngoai",
    "owner": None,
    "author": "bientap",
}


def _user(username):
    from ketnoi.orgs.models import User

    return User.objects.get(username=username)


def _reference():
    for code, name_vi, name_en in TOPICS:
        Topic.objects.update_or_create(code=code, defaults={"name_vi": name_vi, "name_en": name_en})
    for code, name_vi, name_en, order in SECTIONS:
        Section.objects.update_or_create(code=code, defaults={"name_vi": name_vi, "name_en": name_en, "order": order})


def _related_task():
    from ketnoi.programmes.models import Task

    return Task.objects.filter(programme__code__icontains="922").order_by("code").first()


def _create(spec: dict, *, publish: bool = True, event: tuple | None = None) -> ContentItem | None:
    from ketnoi.geo.models import AdminUnit

    from . import services

    if ContentItem.objects.filter(slug=spec["slug"]).exists():
        return None
    owner = AdminUnit.objects.get(structure="current", level="province", code=spec["owner"]) if spec["owner"] else None
    task = _related_task()
    extra = {}
    if event:
        extra = {"event_start": event[0], "event_end": event[1], "event_place": event[2]}
    item = services.item_create(
        user=_user(spec["author"]),
        kind=spec["kind"],
        priority=spec.get("priority", "normal"),
        title=spec["title"],
        summary=spec["summary"],
        body=spec["body"],
        slug=spec["slug"],
        owner_unit=owner,
        topics=spec["topics"],
        section=spec["section"],
        source="Ban biên tập Kết Nối",
        related_tasks=[task] if task else [],
        target_languages=[],
        **extra,
    )
    services.item_transition(user=_user(spec["author"]), item=item, action="submit")
    services.item_transition(user=_user("thamdinh"), item=item, action="appraise")
    services.item_transition(user=_user("dieuphoi"), item=item, action="approve")
    return item


def _translate(item: ContentItem, language: str, column: int) -> None:
    from . import services

    by_source = {row[0]: row[column] for row in FEATURE_SENTENCES}
    variant = services.variant_add(user=_user("bientap"), item=item, language=language)
    services.job_assign(
        user=_user("dieuphoi"),
        variant=variant,
        translator=_user("dichthuat"),
        reviewer=_user("thamdinh"),
        due_date=timezone.localdate() + dt.timedelta(days=7),
    )
    for unit in variant.units.select_related("segment"):
        services.unit_save(user=_user("dichthuat"), unit=unit, text=by_source[unit.segment.text])
    services.variant_approve(user=_user("thamdinh"), variant=variant)


@transaction.atomic
def load_demo_content(log=print) -> int:
    """Topics, sections and four items (news, explainer, priority announcement, foreign feature in
    vi/en/th). Returns how many items were created."""
    from . import services

    created = 0
    with acting_as(None, name="demo-content", source="cli"):
        _reference()
        for spec in (NEWS, EXPLAINER, ANNOUNCEMENT):
            item = _create(spec)
            if item is not None:
                services.item_transition(user=_user("dieuphoi"), item=item, action="publish")
                created += 1
        start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=14)
        item = _create(FEATURE, event=(start, start + dt.timedelta(days=2), "Lào Cai"))
        if item is not None:
            _translate(item, "en", 1)
            _translate(item, "th", 2)
            services.item_transition(user=_user("dieuphoi"), item=item, action="publish")
            created += 1
    if log and created:
        log(f"demo content: {created} items")
    return created
