"""The deadline grammar checked against another project's cases: Duckling's Chinese time corpus
(facebook/duckling, Duckling/Time/ZH/Corpus.hs, reference moment Tuesday 2013-02-12 04:30), the
cases that name one day or moment the way residents write deadlines. Where Duckling reads a form
otherwise by design (a bare "星期二" said on a Tuesday is next week's for Duckling and today's for
a deadline here), the case is left out, not bent."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.when import parse_when

SH = ZoneInfo("Asia/Shanghai")
REFERENCE = datetime(2013, 2, 12, 4, 30, tzinfo=SH)

DAYS = {
    (2013, 2, 12): ["今天", "今日"],
    (2013, 2, 13): ["明天", "明日", "星期三", "礼拜三", "周三", "禮拜三", "週三", "这周三", "这礼拜三",
                    "這週三"],
    (2013, 2, 14): ["后天", "後天", "星期四", "礼拜四", "周四", "禮拜四", "週四"],
    (2013, 2, 15): ["星期五", "礼拜五", "周五", "禮拜五", "週五", "2013年2月15号", "2013年二月十五号",
                    "2月15号", "二月十五号", "2013年2月15號", "2月15號", "二月十五號", "2/15", "二月十五"],
    (2013, 2, 16): ["星期六", "礼拜六", "周六", "禮拜六", "週六"],
    (2013, 2, 17): ["星期日", "星期天", "礼拜天", "周日", "禮拜天", "週日"],
    (2013, 2, 18): ["星期一", "礼拜一", "周一", "禮拜一", "週一"],
    (2013, 2, 19): ["下周二", "下週二", "下星期二", "下禮拜二", "下礼拜二"],
    (2013, 3, 1): ["三月一号", "三月一日", "三月一號", "三月一"],
    (2015, 3, 3): ["2015年3月3号", "2015年3月三号", "2015年三月3号", "2015年三月三号", "2015年3月3號",
                   "2015年三月三號", "2015-3-3", "2015-03-03"],
    (2015, 4, 14): ["2015年4月14号", "2015年4月14號"],
    (2014, 1, 1): ["元旦", "元旦节", "元旦節"],
    (2013, 3, 8): ["妇女节", "婦女節"],
    (2013, 5, 1): ["劳动节", "勞動節"],
    (2013, 6, 1): ["儿童节", "兒童節"],
    (2014, 1, 31): ["春节", "农历新年"],  # 2013's fell on 10 February, two days before
}
MOMENTS = {
    (2013, 2, 12, 20, 0): ["今晚8点", "今晚八点", "今晚8點", "今晚八點"],
    (2013, 2, 12, 15, 0): ["下午三點", "下午三点"],
    (2013, 2, 12, 15, 15): ["下午3:15", "15:15"],
}


@pytest.mark.parametrize(("text", "day"), [(text, day) for day, texts in DAYS.items() for text in texts])
def test_a_day_duckling_names(text, day):
    found = parse_when(text, REFERENCE, default_time=time(23, 59))
    assert (found.year, found.month, found.day) == day, found


@pytest.mark.parametrize(("text", "moment"), [(t, m) for m, texts in MOMENTS.items() for t in texts])
def test_a_moment_duckling_names(text, moment):
    found = parse_when(text, REFERENCE)
    assert (found.year, found.month, found.day, found.hour, found.minute) == moment, found
