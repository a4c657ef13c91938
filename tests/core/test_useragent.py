"""User agents as customers' browsers send them: desktop and mobile, in-app browsers, bad input."""
from __future__ import annotations

import pytest

from capture_app.core.environment.useragent import (
    MAX_LENGTH,
    UserAgentError,
    clean,
    parse_user_agent,
)

# (user agent, browser, browser version, os, os version, device type, in-app)
SAMPLES = [
    # Chrome, desktop
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
     "Chrome", "131", "Windows", "10/11", "", False),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
     "Chrome", "120", "Windows", "10/11", "", False),
    ("Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36",
     "Chrome", "109", "Windows", "7", "", False),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
     "Chrome", "131", "macOS", "10.15.7", "", False),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
     "Chrome", "130", "Linux", "", "", False),
    ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
     "Chrome", "129", "ChromeOS", "14541.0.0", "", False),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.88 Safari/537.36",
     "Chrome", "87.0.4280.88", "Windows", "10/11", "", False),
    # Chrome, mobile
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
     "Chrome", "131", "Android", "10", "phone", False),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
     "Chrome", "131", "Android", "10", "tablet", False),
    ("Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36",
     "Chrome", "112", "Android", "13", "phone", False),
    ("Mozilla/5.0 (Linux; Android 9; SM-T820) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/83.0.4103.106 Safari/537.36",
     "Chrome", "83.0.4103.106", "Android", "9", "tablet", False),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
     "Chrome", "131.0.6778.73", "iOS", "17.5", "phone", False),
    ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
     "Chrome", "131.0.6778.73", "iPadOS", "17.5", "tablet", False),
    # Edge
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70",
     "Edge", "131.0.2903.70", "Windows", "10/11", "", False),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
     "Edge", "120", "Windows", "10/11", "", False),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
     "Edge", "131.0.2903.86", "macOS", "10.15.7", "", False),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0",
     "Edge", "131", "Android", "10", "phone", False),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/131.2903.68 Mobile/15E148 Safari/605.1.15",
     "Edge", "131.2903.68", "iOS", "17.6", "phone", False),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19045",
     "Edge", "18.19045", "Windows", "10/11", "", False),
    # Firefox
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
     "Firefox", "133.0", "Windows", "10/11", "", False),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
     "Firefox", "128.0", "Windows", "10/11", "", False),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
     "Firefox", "133.0", "macOS", "10.15", "", False),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
     "Firefox", "133.0", "Linux", "", "", False),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
     "Firefox", "115.0", "Linux", "", "", False),
    ("Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
     "Firefox", "133.0", "Android", "14", "phone", False),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
     "Firefox", "133.0", "iOS", "17.7", "phone", False),
    ("Mozilla/5.0 (iPad; CPU OS 16_7_10 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/132.1 Mobile/15E148 Safari/605.1.15",
     "Firefox", "132.1", "iPadOS", "16.7.10", "tablet", False),
    # Safari on the Mac, iPhone and iPad
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
     "Safari", "18.1", "macOS", "10.15.7", "", False),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
     "Safari", "17.6", "macOS", "10.15.7", "", False),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.1.2 Safari/605.1.15",
     "Safari", "14.1.2", "macOS", "10.15.6", "", False),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
     "Safari", "18.1", "iOS", "18.1", "phone", False),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
     "Safari", "17.5", "iOS", "17.5.1", "phone", False),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 15_8_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6.6 Mobile/15E148 Safari/604.1",
     "Safari", "15.6.6", "iOS", "15.8.3", "phone", False),
    ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
     "Safari", "17.5", "iPadOS", "17.5", "tablet", False),
    ("Mozilla/5.0 (iPad; CPU OS 12_5_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1",
     "Safari", "12.1.2", "iPadOS", "12.5.7", "tablet", False),
    # Samsung Internet
    ("Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
     "Samsung Internet", "26.0", "Android", "14", "phone", False),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
     "Samsung Internet", "25.0", "Android", "10", "phone", False),
    ("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Safari/537.36",
     "Samsung Internet", "23.0", "Android", "13", "tablet", False),
    ("Mozilla/5.0 (Linux; Android 11; SAMSUNG SM-A515F) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/14.2 Chrome/87.0.4280.141 Mobile Safari/537.36",
     "Samsung Internet", "14.2", "Android", "11", "phone", False),
    # Opera
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0",
     "Opera", "115", "Windows", "10/11", "", False),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 OPR/114.0.0.0",
     "Opera", "114", "macOS", "10.15.7", "", False),
    # In-app browsers
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.43.108;FBBV/620000000;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBID/phone;FBLC/de_DE;FBOP/5]",
     "Facebook", None, "iOS", "17.5", "phone", True),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/127.0.6533.103 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/478.0.0.41.86;]",
     "Facebook", None, "Android", "14", "phone", True),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 351.0.0.21.107 (iPhone15,3; iOS 17_6_1; de_DE; de; scale=3.00; 1290x2796; 646294823)",
     "Instagram", None, "iOS", "17.6.1", "phone", True),
    ("Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.134 Mobile Safari/537.36 Instagram 340.0.0.22.109 Android (33/13; 450dpi; 1080x2177; samsung; SM-A536B; a53x; s5e8825; de_DE; 624573645)",
     "Instagram", None, "Android", "13", "phone", True),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29.8216",
     "LinkedIn", None, "iOS", "17.4", "phone", True),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/339.0.686111475 Mobile/15E148 Safari/604.1",
     "Google", None, "iOS", "17.5", "phone", True),
    ("Mozilla/5.0 (Linux; Android 14; SM-G991B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.39 Mobile Safari/537.36",
     "Chrome Mobile WebView", None, "Android", "14", "phone", True),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
     "iOS WebView", None, "iOS", "17.5", "phone", True),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0 Teams/24295.606.3238.6194",
     "Microsoft Teams", None, "Windows", "10/11", "", True),
    ("Mozilla/5.0 (Linux; Android 12; M2101K6G Build/SKQ1.210908.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 XWEB/1190133 MMWEBSDK/20231202 MMWEBID/2229 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
     "WeChat", None, "Android", "12", "phone", True),
]


def test_the_sample_is_large_and_covers_the_browsers():
    assert len(SAMPLES) >= 50
    browsers = {s[1] for s in SAMPLES}
    assert {"Chrome", "Edge", "Firefox", "Safari", "Samsung Internet"} <= browsers
    assert sum(1 for s in SAMPLES if s[6]) >= 8  # in-app browsers
    assert {s[3] for s in SAMPLES if s[1] == "Safari"} == {"macOS", "iOS", "iPadOS"}


@pytest.mark.parametrize("ua, browser, version, os_name, os_version, device, in_app", SAMPLES,
                         ids=[f"{i:02d}-{s[1]}-{s[3]}" for i, s in enumerate(SAMPLES)])
def test_real_user_agents(ua, browser, version, os_name, os_version, device, in_app):
    parsed = parse_user_agent(ua)
    assert (parsed.browser, parsed.os, parsed.device_type, parsed.in_app) == (browser, os_name, device, in_app)
    if version is not None:
        assert parsed.browser_version == version
    if os_version:
        assert parsed.os_version == os_version
    if in_app:
        assert any(note.key == "probes.ua.note_in_app" for note in parsed.notes)


def test_what_the_user_agent_cannot_tell_is_said():
    windows = parse_user_agent(SAMPLES[0][0])
    assert [n.render("de") for n in windows.notes] == [
        "Windows 10 und 11 sind im User-Agent nicht zu unterscheiden.",
        "Chrome nennt im User-Agent nur die Hauptversion."]
    mac_safari = parse_user_agent(SAMPLES[27][0])
    keys = [n.key for n in mac_safari.notes]
    assert keys == ["probes.ua.note_macos_frozen", "probes.ua.note_maybe_ipad"]
    ios_chrome = parse_user_agent(SAMPLES[11][0])
    assert [n.key for n in ios_chrome.notes] == ["probes.ua.note_ios_engine"]


def test_a_pasted_user_agent_is_cleaned_of_line_breaks_and_its_label():
    wrapped = "User-Agent: Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X)\n  AppleWebKit/605.1.15 (KHTML, like Gecko)\r\n" \
              "Version/17.5 Mobile/15E148 Safari/604.1\n"
    parsed = parse_user_agent(wrapped)
    assert (parsed.browser, parsed.browser_version, parsed.os) == ("Safari", "17.5", "iPadOS")
    assert parsed.user_agent == clean(wrapped) and "\n" not in parsed.user_agent


@pytest.mark.parametrize("text, key", [
    ("", "empty"),
    ("   \n\t ", "empty"),
    ("Ich weiß nicht, welchen Browser ich habe", "not_recognised"),
    ("asdf qwer zxcv 1234 !!!!", "not_recognised"),
    ("\x00\x01\x02 Mozilla/5.0 \x7f", "not_recognised"),
    ("Mozilla/5.0 (" + "x; " * 40_000 + ")", "too_long"),
    ("A" * 100_000, "too_long"),
])
def test_garbage_and_huge_input_are_refused_with_the_reason(text, key):
    with pytest.raises(UserAgentError) as caught:
        parse_user_agent(text)
    assert caught.value.key == key
    message = caught.value.message("de")
    assert message and "⟦" not in message
    if key == "too_long":
        assert str(MAX_LENGTH) in message
