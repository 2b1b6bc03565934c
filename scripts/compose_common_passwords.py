"""Write hazards/domain/common_passwords.txt: passwords too common to accept, composed here.

Leaked-password lists agree on the shapes people pick: digit runs and repeats, keyboard walks, a word
or a name (in English or pinyin) with a number, a year or a lucky number after it. This script spells
those shapes out, so the list is our own work, reproducible and reviewable; rerun it after a change:

    .venv/bin/python scripts/compose_common_passwords.py
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "hazards" / "domain" / "common_passwords.txt"
SHORTEST = 6  # anything shorter is refused by length before the list is consulted

DIGIT_RUNS = [
    "123456", "1234567", "12345678", "123456789", "1234567890", "0123456789", "12345678910", "654321",
    "7654321", "87654321", "987654321", "9876543210", "123123", "123123123", "123321", "1234554321",
    "112233", "11223344", "111222", "111222333", "123456123456", "147258", "147258369", "159357",
    "159753", "741852963", "789456", "789456123", "456789", "147852369", "135790", "246810", "0987654321",
    "5201314", "1314520", "520520", "521521", "1314521", "5211314", "13145201314", "52013145201314",
    "201314", "584520", "100200", "121212", "131313", "123654", "102030", "10203040", "135792468",
]
KEYBOARD = [
    "qwerty", "qwertyu", "qwertyui", "qwertyuiop", "asdfgh", "asdfghjk", "asdfghjkl", "zxcvbn", "zxcvbnm",
    "qazwsx", "qazwsxedc", "1qaz2wsx", "1qaz2wsx3edc", "1qazxsw2", "zaq12wsx", "zaq1xsw2", "1q2w3e",
    "1q2w3e4r", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4", "q1w2e3r4t5", "qweasd", "qweasdzxc", "qwe123",
    "qwer1234", "asdf1234", "zxcv1234", "asd123", "zxc123", "qwerasdf", "qwertyuiop123", "asdfghjkl123",
    "1qaz@wsx", "!qaz2wsx", "qwe!@#", "!@#$%^", "!@#$%^&*", "!q@w#e", "1a2b3c", "a1b2c3", "a1b2c3d4",
    "abcdef", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghij", "abcd1234", "aabbcc", "abcabc",
]
WORDS = [
    # English
    "password", "passw0rd", "p@ssw0rd", "p@ssword", "iloveyou", "admin", "administrator", "root", "welcome",
    "letmein", "monkey", "dragon", "football", "baseball", "master", "sunshine", "princess", "shadow",
    "superman", "michael", "trustno1", "hello", "hellokitty", "love", "secret", "test", "guest", "user",
    "login", "default", "changeme", "computer", "internet", "qwerty", "abc", "abcd", "abcde", "aaa",
    "freedom", "whatever", "starwars", "killer", "flower", "lovely", "angel", "jordan", "summer",
    # pinyin and Chinese favourites
    "woaini", "woainiya", "aini", "wodemima", "mima", "nihao", "zhongguo", "china", "beijing", "shanghai",
    "xiaoming", "xiaohong", "xiaoxiao", "laopo", "laogong", "baobao", "baobei", "qinqin", "tiantian",
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu",
    "hu", "guo", "he", "lin", "luo", "gao", "wangwei", "zhangwei", "liyang", "liuyang", "wangjing",
    # this ledger's own vocabulary, the first thing a colleague would try
    "jiaojing", "jiaotong", "gongan", "police", "traffic", "anquan", "yinhuan", "xinzhou", "shanxi",
    "hazard", "hazards", "demo", "qq", "a", "aa", "abc",
]
SUFFIXES = [
    "", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789", "0", "00", "01",
    "001", "007", "11", "111", "666", "888", "999", "6666", "8888", "9999", "88888888", "520", "521",
    "1314", "5201314", "!", "!!", "@", "#", "@123", "#123", "123!", "!@#", "1!", "2024", "2025", "2026",
    "2020", "2021", "2022", "2023", "2000", "1990", "1988", "1999", "2008", "2010",
]


def composed() -> list[str]:
    found = set(DIGIT_RUNS) | set(KEYBOARD)
    found |= {digit * n for digit in "0123456789" for n in range(6, 13)}
    found |= {letter * n for letter in "abcdefghijklmnopqrstuvwxyz" for n in range(6, 11)}
    found |= {word + suffix for word in WORDS for suffix in SUFFIXES}
    found |= {suffix + word for word in ("password", "woaini", "iloveyou", "admin") for suffix in SUFFIXES}
    found |= {run + tail for run in ("123456", "12345678", "123456789", "1234567890") for tail in ("a", "abc", "qwe", "q", "aa")}
    return sorted(p for p in found if len(p) >= SHORTEST)


def main() -> None:
    passwords = composed()
    header = ("# Passwords too common to accept, one a line, compared case-insensitively.\n"
              "# Composed by scripts/compose_common_passwords.py (our own work, public domain).\n")
    OUT.write_text(header + "\n".join(passwords) + "\n", encoding="utf-8")
    print(f"{len(passwords)} passwords written to {OUT}")


if __name__ == "__main__":
    main()
